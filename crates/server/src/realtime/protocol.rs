//! The WebSocket protocol (`GET /api/support-chat/ws`) as types. Every frame is a JSON object
//! `{type, conversationId?, data?}`; the web app's TypeScript types are generated from these
//! (they are components of the OpenAPI document), and `docs/reference/websocket.md` shows every
//! frame with an example.

use serde::{Deserialize, Serialize};
use support_chat_domain::{ConversationId, MessageId, UserId};
use support_chat_store::{Conversation, Message};
use utoipa::ToSchema;

/// What a client sends.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Start receiving a conversation's messages. With `sinceMessageId`, everything after that
    /// message is replayed first; `joined` marks the switch to live traffic.
    #[serde(rename_all = "camelCase")]
    JoinConversation {
        conversation_id: ConversationId,
        #[serde(default)]
        data: Option<JoinData>,
    },
    /// Stop receiving a conversation's messages.
    #[serde(rename_all = "camelCase")]
    LeaveConversation { conversation_id: ConversationId },
    /// The sender started or stopped typing.
    #[serde(rename_all = "camelCase")]
    Typing {
        conversation_id: ConversationId,
        data: TypingData,
    },
    /// The sender has read up to `messageId`.
    #[serde(rename_all = "camelCase")]
    ReadReceipt {
        conversation_id: ConversationId,
        data: ReadReceiptData,
    },
    /// Send a message; answered with `ack` once it is stored.
    #[serde(rename_all = "camelCase")]
    Message {
        conversation_id: ConversationId,
        data: SendData,
    },
    /// Answered with `pong`.
    Ping,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JoinData {
    /// The newest message the client already has.
    #[serde(default)]
    pub since_message_id: Option<MessageId>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TypingData {
    pub is_typing: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceiptData {
    pub message_id: MessageId,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SendData {
    pub content: String,
    /// The client's own id for this message, a UUID: a resend with the same id is acked with
    /// the message stored the first time.
    pub client_message_id: String,
}

/// What the server sends.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// A message in a joined conversation: each exactly once, in id order.
    #[serde(rename_all = "camelCase")]
    Message {
        conversation_id: ConversationId,
        data: Message,
    },
    /// The message with this `clientMessageId` is stored as `messageId`.
    #[serde(rename_all = "camelCase")]
    Ack {
        conversation_id: ConversationId,
        data: AckData,
    },
    /// The replay after `join_conversation` is done; live messages follow.
    #[serde(rename_all = "camelCase")]
    Joined {
        conversation_id: ConversationId,
        data: JoinedData,
    },
    /// Too many messages were missed to replay them. The socket is no longer in the
    /// conversation: fetch it over REST, then join again with the newest id.
    #[serde(rename_all = "camelCase")]
    ResetRequired {
        conversation_id: ConversationId,
        data: ResetData,
    },
    #[serde(rename_all = "camelCase")]
    Typing {
        conversation_id: ConversationId,
        data: TypingEvent,
    },
    #[serde(rename_all = "camelCase")]
    ReadReceipt {
        conversation_id: ConversationId,
        data: ReadReceiptEvent,
    },
    /// Status, priority, assignee or subject changed, or a message was deleted.
    #[serde(rename_all = "camelCase")]
    ConversationUpdated {
        conversation_id: ConversationId,
        data: ConversationChange,
    },
    /// A new conversation (admins only).
    #[serde(rename_all = "camelCase")]
    ConversationCreated {
        conversation_id: ConversationId,
        data: Box<ConversationCreatedData>,
    },
    /// Which admins are online; sent on connect and when it changes.
    Presence {
        data: PresenceData,
    },
    /// Something for this person outside the conversations they have joined.
    #[serde(rename_all = "camelCase")]
    Notification {
        conversation_id: ConversationId,
        data: NotificationData,
    },
    /// A frame could not be handled. `conversationId` and `clientMessageId` say which, when known.
    #[serde(rename_all = "camelCase")]
    Error {
        #[serde(skip_serializing_if = "Option::is_none")]
        conversation_id: Option<ConversationId>,
        data: ErrorData,
    },
    Pong,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AckData {
    pub client_message_id: String,
    pub message_id: MessageId,
    pub seq: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JoinedData {
    /// The newest message delivered so far (0 before any).
    pub last_message_id: MessageId,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetData {
    /// How many messages were missed (at least; counting stops past the replay limit).
    pub missed: i64,
    /// Live messages after this one follow.
    pub last_message_id: MessageId,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TypingEvent {
    pub user_id: UserId,
    pub name: String,
    pub is_typing: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceiptEvent {
    pub user_id: UserId,
    /// Everything up to and including this message is read by `userId`.
    pub message_id: MessageId,
}

/// What changed; absent fields did not change. `adminId: null` means unassigned.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub admin_id: Option<Option<UserId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags_added: Option<Vec<String>>,
    /// A message that was deleted (its content is gone; refetch shows the placeholder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_message_id: Option<MessageId>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationCreatedData {
    pub conversation: Conversation,
    pub message: Message,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PresenceData {
    /// How many admins have at least one open connection.
    pub admins_online: usize,
    /// Which ones, ascending (the first 100) — sent to admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_ids: Option<Vec<UserId>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationData {
    /// `message`: a new message in a conversation of yours you have not joined.
    pub kind: String,
    pub message_id: MessageId,
    pub sender_name: String,
    /// The first 200 characters.
    pub preview: String,
    /// The conversation is urgent.
    pub urgent: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorData {
    /// `bad_frame`, `not_found`, `validation_failed`, `rate_limited`, `conflict`,
    /// `unavailable`, `internal`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
    /// Seconds to wait, with `rate_limited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ServerFrame {
    pub fn error(
        conversation_id: Option<ConversationId>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ServerFrame::Error {
            conversation_id,
            data: ErrorData {
                code,
                message: message.into(),
                client_message_id: None,
                retry_after: None,
            },
        }
    }

    /// The frame as the text sent on the wire.
    pub fn encode(&self) -> axum::extract::ws::Utf8Bytes {
        // Serialising these types cannot fail: no maps with non-string keys, no custom errors.
        serde_json::to_string(self)
            .unwrap_or_else(|_| {
                r#"{"type":"error","data":{"code":"internal","message":"encoding failed"}}"#.into()
            })
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn client_frames_read_the_documented_shape() {
        let f: ClientFrame = serde_json::from_value(json!({
            "type": "join_conversation", "conversationId": 7, "data": {"sinceMessageId": 41}
        }))
        .unwrap();
        assert_eq!(
            f,
            ClientFrame::JoinConversation {
                conversation_id: ConversationId(7),
                data: Some(JoinData {
                    since_message_id: Some(MessageId(41))
                })
            }
        );
        let f: ClientFrame =
            serde_json::from_value(json!({"type": "join_conversation", "conversationId": 7}))
                .unwrap();
        assert!(matches!(
            f,
            ClientFrame::JoinConversation { data: None, .. }
        ));
        let f: ClientFrame = serde_json::from_value(json!({
            "type": "message", "conversationId": 7, "data": {"content": "hi", "clientMessageId": "c1"}
        }))
        .unwrap();
        assert!(matches!(f, ClientFrame::Message { .. }));
        assert_eq!(
            serde_json::from_value::<ClientFrame>(json!({"type": "ping"})).unwrap(),
            ClientFrame::Ping
        );
    }

    #[test]
    fn malformed_client_frames_are_explained() {
        let e = serde_json::from_value::<ClientFrame>(json!({"type": "dance"})).unwrap_err();
        assert!(e.to_string().contains("unknown variant `dance`"), "{e}");
        let e =
            serde_json::from_value::<ClientFrame>(json!({"type": "message", "conversationId": 1}))
                .unwrap_err();
        assert!(e.to_string().contains("missing field `data`"), "{e}");
    }

    #[test]
    fn server_frames_write_the_documented_shape() {
        let f = ServerFrame::Ack {
            conversation_id: ConversationId(3),
            data: AckData {
                client_message_id: "c1".into(),
                message_id: MessageId(9),
                seq: 2,
            },
        };
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"type": "ack", "conversationId": 3, "data": {"clientMessageId": "c1", "messageId": 9, "seq": 2}})
        );
        assert_eq!(
            serde_json::to_value(ServerFrame::Pong).unwrap(),
            json!({"type": "pong"})
        );
        let change = ConversationChange {
            admin_id: Some(None),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(ServerFrame::ConversationUpdated {
                conversation_id: ConversationId(1),
                data: change
            })
            .unwrap(),
            json!({"type": "conversation_updated", "conversationId": 1, "data": {"adminId": null}})
        );
    }
}
