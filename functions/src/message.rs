//! A mail as the functions write it: to whom, the subject and a plain-text body. A leaf
//! module, so that the store (which keeps a queue of them) and the mailers (which send
//! them) do not depend on each other.

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub to: String,
    pub subject: String,
    /// Plain text.
    pub body: String,
}
