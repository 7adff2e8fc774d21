//! Upload rules (FILE-01/02): the accepted types recognised by content (magic bytes), never by name;
//! the size and count limits; image dimensions read from headers so decompression bombs are refused
//! without decoding; and the original file name cleaned for display and download.

/// Largest accepted file.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Files per item.
pub const MAX_PER_ITEM: i64 = 10;
/// Largest accepted image (width × height).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Bytes of a file's start kept to recognise it.
pub const HEAD_BYTES: usize = 256 * 1024;

/// An accepted file type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// PDF.
    Pdf,
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

impl FileType {
    /// The MIME type served back.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
        }
    }

    /// Parses a stored MIME type.
    pub fn from_mime(mime: &str) -> Option<FileType> {
        [FileType::Pdf, FileType::Png, FileType::Jpeg].into_iter().find(|t| t.mime() == mime)
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// Not a PDF, PNG or JPEG by content.
    #[error("只接受 PDF、JPEG、PNG 文件 / only PDF, JPEG and PNG files are accepted")]
    WrongType,
    /// Over [`MAX_BYTES`].
    #[error("文件不能超过 10 MB / a file may not exceed 10 MB")]
    TooLarge,
    /// An image too large to decode safely, or with an unreadable header.
    #[error("图片尺寸过大或无法识别 / image too large or unreadable")]
    BadImage,
    /// Empty file.
    #[error("文件为空 / empty file")]
    Empty,
}

/// Recognises the type from the first bytes and checks image dimensions from the header.
pub fn check(head: &[u8]) -> Result<FileType, UploadError> {
    if head.is_empty() {
        return Err(UploadError::Empty);
    }
    let kind = if head.starts_with(b"%PDF-") {
        FileType::Pdf
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileType::Png
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        FileType::Jpeg
    } else {
        return Err(UploadError::WrongType);
    };
    let pixels = match kind {
        FileType::Pdf => return Ok(kind),
        FileType::Png => png_dimensions(head),
        FileType::Jpeg => jpeg_dimensions(head),
    };
    match pixels {
        Some((w, h)) if w > 0 && h > 0 && u64::from(w) * u64::from(h) <= MAX_PIXELS => Ok(kind),
        _ => Err(UploadError::BadImage),
    }
}

fn png_dimensions(head: &[u8]) -> Option<(u32, u32)> {
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
    if head.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(head.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(head.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

fn jpeg_dimensions(head: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        while *head.get(at)? != 0xFF {
            at += 1;
        }
        while *head.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *head.get(at)?;
        at += 1;
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            continue;
        }
        let length = usize::from(u16::from_be_bytes([*head.get(at)?, *head.get(at + 1)?]));
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let height = u16::from_be_bytes([*head.get(at + 3)?, *head.get(at + 4)?]);
            let width = u16::from_be_bytes([*head.get(at + 5)?, *head.get(at + 6)?]);
            return Some((u32::from(width), u32::from(height)));
        }
        if marker == 0xDA || length < 2 {
            return None;
        }
        at += length;
    }
}

/// True unless the name's extension claims another accepted type than the content is (a `.png` that
/// is really a PDF); names without a known extension pass, since the content decides.
pub fn name_matches(name: &str, kind: FileType) -> bool {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "pdf" => kind == FileType::Pdf,
        "png" => kind == FileType::Png,
        "jpg" | "jpeg" => kind == FileType::Jpeg,
        _ => true,
    }
}

/// The original name reduced to a safe display name: no directories, control or bidi characters,
/// no Windows device names, at most 100 characters; `文件` when nothing is left.
pub fn display_name(original: &str) -> String {
    let last = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .filter(|c| !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .take(100)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let stem = trimmed.split('.').next().unwrap_or_default().to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4 && (stem.starts_with("COM") || stem.starts_with("LPT")));
    if trimmed.is_empty() || reserved { "文件".to_owned() } else { trimmed.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 2, 0, 0, 0]);
        bytes
    }

    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        bytes.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        bytes
    }

    #[test]
    fn types_are_recognised_by_content_not_name() {
        assert_eq!(check(b"%PDF-1.7\n..."), Ok(FileType::Pdf));
        assert_eq!(check(&png(800, 600)), Ok(FileType::Png));
        assert_eq!(check(&jpeg(4032, 3024)), Ok(FileType::Jpeg));
        assert_eq!(check(b"<html><title>x</title>"), Err(UploadError::WrongType));
        assert_eq!(check(b"PK\x03\x04zip"), Err(UploadError::WrongType));
        assert_eq!(check(b""), Err(UploadError::Empty));
    }

    #[test]
    fn decompression_bombs_are_refused_from_the_header() {
        assert_eq!(check(&png(100_000, 100_000)), Err(UploadError::BadImage));
        assert_eq!(check(&jpeg(65_000, 65_000)), Err(UploadError::BadImage));
        assert_eq!(check(&png(0, 10)), Err(UploadError::BadImage));
        assert_eq!(check(b"\x89PNG\r\n\x1a\n"), Err(UploadError::BadImage), "truncated header");
        assert_eq!(check(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), Err(UploadError::BadImage), "no frame header");
    }

    #[test]
    fn a_name_claiming_another_type_than_the_content_is_caught() {
        assert!(name_matches("合同.PDF", FileType::Pdf));
        assert!(!name_matches("photo.png", FileType::Pdf));
        assert!(!name_matches("scan.jpeg", FileType::Png));
        assert!(name_matches("scan", FileType::Png));
    }

    #[test]
    fn names_lose_paths_controls_and_device_names() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\a\\合同.pdf"), "合同.pdf");
        assert_eq!(display_name("a\0.png"), "a.png");
        assert_eq!(display_name("\u{202E}gnp.exe"), "gnp.exe");
        assert_eq!(display_name("CON"), "文件");
        assert_eq!(display_name("com1.txt"), "文件");
        assert_eq!(display_name("..."), "文件");
        assert_eq!(display_name(&"长".repeat(300)).chars().count(), 100);
    }
}
