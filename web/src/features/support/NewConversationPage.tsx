import { useQueryClient } from '@tanstack/react-query';
import { ArrowLeft } from 'lucide-react';
import { Link, useNavigate } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { supportKeys } from '../../api/queryKeys';
import { createConversation, type ConversationDetails } from '../../api/support';
import { ButtonLink } from '../../ui/ButtonLink';
import { NewConversationForm } from './NewConversationForm';
import styles from './NewConversationPage.module.css';

/** `/support/new`: opens a conversation with a subject, a priority and the first message. */
export function NewConversationPage() {
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  return (
    <div className={styles.page}>
      <title>New conversation · support-chat</title>
      <Link to="/support" className={styles.back}>
        <ArrowLeft size={16} aria-hidden="true" />
        All conversations
      </Link>
      <h1 className={styles.title}>New conversation</h1>
      <p className={styles.lead}>Tell us what you need. Someone from our support team will answer here.</p>
      <div className={styles.card}>
        <NewConversationForm
          cancel={
            <ButtonLink to="/support" variant="secondary">
              Cancel
            </ButtonLink>
          }
          onSubmit={async (values) => {
            const created = await createConversation(api, values);
            const id = created.conversation.id;
            queryClient.setQueryData<ConversationDetails>(supportKeys.conversation(id), {
              conversation: created.conversation,
              messages: [created.message],
              hasMore: false,
            });
            void queryClient.invalidateQueries({ queryKey: supportKeys.lists() });
            await navigate(`/support/${id}`, { replace: true });
          }}
        />
      </div>
    </div>
  );
}
