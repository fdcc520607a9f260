//! The input document.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A document to analyse: an id, its text and optional metadata.
///
/// ```
/// use lede_core::Document;
/// let doc = Document::new("a1", "Minsk (EFE).- Belarus freed 52 prisoners.")
///     .with_title("Belarus frees prisoners")
///     .with_source("EFE");
/// assert_eq!(doc.title.as_deref(), Some("Belarus frees prisoners"));
/// doc.validate().unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Caller-chosen identifier (a file path, a feed id, ...).
    pub id: String,
    /// The full text; every span in an analysis points into it.
    pub text: String,
    /// Optional headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Optional source (agency, site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Optional publication date, as given (ISO 8601 recommended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl Document {
    /// A document with an id and text and no metadata.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
            title: None,
            source: None,
            date: None,
        }
    }

    crate::setters! {
        /// Sets the title.
        pub fn with_title(title: impl Into<String>) => title = Some(title.into());
        /// Sets the source.
        pub fn with_source(source: impl Into<String>) => source = Some(source.into());
        /// Sets the date.
        pub fn with_date(date: impl Into<String>) => date = Some(date.into());
    }

    /// Checks that the document has text to analyse.
    ///
    /// # Errors
    /// [`Error::EmptyDocument`] for empty or whitespace-only text.
    pub fn validate(&self) -> Result<()> {
        if self.text.trim().is_empty() {
            return Err(Error::EmptyDocument {
                id: self.id.clone(),
            });
        }
        Ok(())
    }

    /// Checks [`Document::validate`] and a size limit in bytes.
    ///
    /// # Errors
    /// [`Error::EmptyDocument`] or [`Error::DocumentTooLarge`].
    pub fn validate_with_limit(&self, max_bytes: usize) -> Result<()> {
        self.validate()?;
        if self.text.len() > max_bytes {
            return Err(Error::DocumentTooLarge {
                id: self.id.clone(),
                bytes: self.text.len(),
                limit: max_bytes,
            });
        }
        Ok(())
    }
}
