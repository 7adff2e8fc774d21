//! Spreadsheet downloads: any table to XLSX, sent as an attachment with an RFC 6266 file name.

use crate::error::AppError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// An XLSX workbook of one sheet: a bold header row, then the rows.
pub fn xlsx(sheet: &str, headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let worksheet = workbook.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    worksheet.set_name(sheet).map_err(fail)?;
    for (col, title) in headers.iter().enumerate() {
        worksheet.write_string_with_format(0, col as u16, title, &bold).map_err(fail)?;
        worksheet.set_column_width(col as u16, 18).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            worksheet.write_string(r as u32 + 1, col as u16, value).map_err(fail)?;
        }
    }
    workbook.save_to_buffer().map_err(fail)
}

/// An attachment response; `filename` may be Chinese (encoded per RFC 5987, with an ASCII fallback).
pub fn attachment(bytes: Vec<u8>, filename: &str, ascii_fallback: &str, content_type: &'static str) -> Response {
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{encoded}");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The XLSX content type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
