//! Receiving and serving files (FILE-01/02/03): each multipart file streams into a temporary file
//! under the upload directory — refused at 10 MB + 1 byte without reading further, recognised by its
//! first bytes, hashed — then scanned and moved to a random name. Files are served only through the
//! authorised download handler, as attachments with `nosniff` and `CSP: sandbox`.

use crate::error::AppError;
use axum::extract::multipart::Field;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use liaison_core::upload::{self, FileType, HEAD_BYTES, MAX_BYTES, UploadError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Decides whether a received file is malware. Production wires in clamd; the built-in scanner
/// recognises the EICAR test signature, so the quarantine path is exercised end to end.
pub trait Scanner: Send + Sync + std::fmt::Debug {
    /// True when the file at `path` must be quarantined.
    fn infected(&self, path: &Path) -> std::io::Result<bool>;
}

/// Flags files containing the EICAR anti-virus test string.
#[derive(Debug, Default, Clone, Copy)]
pub struct EicarScanner;

const EICAR: &[u8] = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE";

impl Scanner for EicarScanner {
    fn infected(&self, path: &Path) -> std::io::Result<bool> {
        let bytes = std::fs::read(path)?;
        Ok(bytes.windows(EICAR.len()).any(|w| w == EICAR))
    }
}

/// The upload directory (outside any served directory) and the scanner.
#[derive(Debug)]
pub struct Uploads {
    root: PathBuf,
    scanner: Box<dyn Scanner>,
}

/// A file received and stored under its random name, not yet recorded.
#[derive(Debug, Clone)]
pub struct Received {
    /// Random storage name.
    pub storage_name: String,
    /// Cleaned original name.
    pub file_name: String,
    /// Type recognised from the content.
    pub file_type: FileType,
    /// Bytes.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// The scanner flagged it.
    pub infected: bool,
}

fn refuse(error: UploadError) -> AppError {
    match error {
        UploadError::TooLarge => AppError::PayloadTooLarge,
        UploadError::WrongType => AppError::UnsupportedMediaType,
        other => AppError::field("file", "file.invalid", other.to_string()),
    }
}

impl Uploads {
    /// Files under `root` (created when missing), checked by `scanner`.
    pub fn new(root: PathBuf, scanner: Box<dyn Scanner>) -> std::io::Result<Self> {
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root, scanner })
    }

    /// The upload directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a stored file lives: two levels of fan-out by its random name.
    pub fn path(&self, storage_name: &str) -> PathBuf {
        let (a, b) = (storage_name.get(..2).unwrap_or("00"), storage_name.get(2..4).unwrap_or("00"));
        self.root.join(a).join(b).join(storage_name)
    }

    /// Streams one multipart file in. On any refusal the partial file is removed.
    pub async fn receive(&self, mut field: Field<'_>) -> Result<Received, AppError> {
        let file_name = upload::display_name(field.file_name().unwrap_or_default());
        let storage_name = liaison_core::token::random_hex(16);
        let temp = self.root.join("tmp").join(&storage_name);
        let result = async {
            let mut out = tokio::fs::File::create(&temp).await.map_err(io)?;
            let (mut head, mut size, mut hasher) = (Vec::new(), 0_u64, Sha256::new());
            while let Some(chunk) = field.chunk().await.map_err(|e| malformed(&e))? {
                size += chunk.len() as u64;
                if size > MAX_BYTES {
                    return Err(refuse(UploadError::TooLarge));
                }
                if head.len() < HEAD_BYTES {
                    let take = chunk.len().min(HEAD_BYTES - head.len());
                    head.extend_from_slice(&chunk[..take]);
                    // The magic bytes decide the type, so a wrong one is refused without reading on.
                    if head.len() >= 8 && upload::check(&head) == Err(UploadError::WrongType) {
                        return Err(refuse(UploadError::WrongType));
                    }
                }
                hasher.update(&chunk);
                out.write_all(&chunk).await.map_err(io)?;
            }
            out.sync_all().await.map_err(io)?;
            let file_type = upload::check(&head).map_err(refuse)?;
            if !upload::name_matches(&file_name, file_type) {
                return Err(refuse(UploadError::WrongType));
            }
            Ok((file_type, size, hex::encode(hasher.finalize())))
        }
        .await;
        let (file_type, size, sha256) = match result {
            Ok(done) => done,
            Err(error) => {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(error);
            }
        };
        let infected = self.scanner.infected(&temp).map_err(io)?;
        let target = self.path(&storage_name);
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        tokio::fs::rename(&temp, &target).await.map_err(io)?;
        Ok(Received { storage_name, file_name, file_type, size: size as i64, sha256, infected })
    }

    /// Reads a multipart form: its text fields, and every part named `file` with a file name streamed
    /// in. On any refusal the files already stored are removed again.
    pub async fn read_form(
        &self,
        mut multipart: axum::extract::Multipart,
    ) -> Result<(std::collections::HashMap<String, String>, Vec<Received>), AppError> {
        let (mut fields, mut files) = (std::collections::HashMap::new(), Vec::new());
        let outcome: Result<(), AppError> = async {
            while let Some(part) = multipart.next_field().await.map_err(|e| malformed(&e))? {
                let name = part.name().unwrap_or_default().to_owned();
                let has_file = part.file_name().is_some_and(|f| !f.is_empty());
                if name == "file" && has_file {
                    if files.len() as i64 >= liaison_core::upload::MAX_PER_ITEM {
                        return Err(AppError::Conflict("too_many_files", "附件过多 / too many files".into()));
                    }
                    files.push(self.receive(part).await?);
                } else if name != "file" {
                    let bytes = part.bytes().await.map_err(|e| malformed(&e))?;
                    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        AppError::Unclean(liaison_core::validate::FieldError::new(
                            &name,
                            "invalid_utf8",
                            format!("{name}：不是有效的 UTF-8 文本 / not valid UTF-8"),
                        ))
                    })?;
                    crate::clean_input::check_text(&name, &name)
                        .and_then(|()| crate::clean_input::check_text(&name, &text))?;
                    fields.insert(name, text);
                }
            }
            Ok(())
        }
        .await;
        if let Err(error) = outcome {
            self.discard(&files.iter().map(|f| f.storage_name.clone()).collect::<Vec<_>>()).await;
            return Err(error);
        }
        Ok((fields, files))
    }

    /// Removes stored files (after a failed submission, or when their item is deleted).
    pub async fn discard(&self, storage_names: &[String]) {
        for name in storage_names {
            let _ = tokio::fs::remove_file(self.path(name)).await;
        }
    }

    /// The download response of a stored file.
    pub async fn serve(&self, storage_name: &str, file_name: &str, content_type: &str) -> Result<Response, AppError> {
        let bytes = tokio::fs::read(self.path(storage_name)).await.map_err(io)?;
        let mime = FileType::from_mime(content_type).map_or("application/octet-stream", FileType::mime);
        let mut response = crate::export::attachment(bytes, file_name, "attachment", mime);
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
        Ok(response.into_response())
    }
}

fn io(error: std::io::Error) -> AppError {
    AppError::Internal(format!("upload storage: {error}"))
}

fn malformed(error: &axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest("malformed_body", "上传内容格式错误 / malformed upload".into())
    }
}
