import { Link, type LinkProps } from 'react-router';
import styles from './Button.module.css';

interface ButtonLinkProps extends LinkProps {
  variant?: 'primary' | 'secondary';
}

/** A link that looks like a button: for actions that go to another page ("New conversation"). */
export function ButtonLink({ variant = 'primary', className, ...rest }: ButtonLinkProps) {
  const classes = [styles.button, styles[variant], styles.link, className ?? ''].filter(Boolean).join(' ');
  return <Link {...rest} className={classes} />;
}
