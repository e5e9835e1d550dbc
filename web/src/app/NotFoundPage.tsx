import { Link } from 'react-router';
import { FullPageMessage } from '../ui/FullPageStatus';

export function NotFoundPage() {
  return (
    <>
      <title>Page not found · support-chat</title>
      <FullPageMessage title="Page not found" action={<Link to="/">Go to the home page</Link>}>
        There is nothing at this address. Check the link, or start again from the home page.
      </FullPageMessage>
    </>
  );
}
