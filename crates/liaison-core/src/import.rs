//! Bulk onboarding of enterprises from XLSX or CSV: read the table, map its columns by header
//! (Chinese or English names), validate every row, and report each rejected row with its row number,
//! column and reason. Resolving communities and existing codes is the caller's (it needs the database).

use crate::enterprise::{EnterpriseDetails, EnterpriseInput};
use calamine::Reader;
use std::collections::HashMap;

/// The columns, each with the header names accepted for it (the first is the template's).
pub const COLUMNS: [(&str, &[&str]); 11] = [
    ("name", &["企业名称", "name"]),
    ("credit_code", &["统一社会信用代码", "credit_code", "信用代码"]),
    ("address", &["地址", "address"]),
    ("industry", &["行业门类", "industry", "行业"]),
    ("scale", &["规模", "scale"]),
    ("key_enterprise", &["重点企业", "key_enterprise"]),
    ("longitude", &["经度", "longitude"]),
    ("latitude", &["纬度", "latitude"]),
    ("contact_name", &["联系人", "contact_name"]),
    ("contact_mobile", &["联系电话", "contact_mobile", "手机"]),
    ("community", &["所属社区", "community"]),
];

/// One rejected row (row numbers count the header as row 1, as a spreadsheet shows them).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// Spreadsheet row number.
    pub row: usize,
    /// Column (its field name).
    pub column: String,
    /// Why (Chinese).
    pub reason: String,
}

/// A valid row waiting for its community to be resolved.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    /// Spreadsheet row number.
    pub row: usize,
    /// Validated details.
    pub details: EnterpriseDetails,
    /// The community as written (a name or an id).
    pub community: String,
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Neither XLSX nor UTF-8 CSV.
    #[error("无法读取文件（请上传 .xlsx 或 UTF-8 编码的 .csv）")]
    Unreadable,
    /// No header row, or a required column is missing.
    #[error("缺少列：{0}")]
    MissingColumn(String),
    /// More rows than one import accepts.
    #[error("单次最多导入{0}行")]
    TooManyRows(usize),
}

/// Largest number of data rows in one import.
pub const MAX_ROWS: usize = 20_000;

/// Reads the first sheet of an XLSX file, or a CSV file, into rows of cells.
pub fn read_table(bytes: &[u8], filename: &str) -> Result<Vec<Vec<String>>, TableError> {
    if filename.to_lowercase().ends_with(".csv") {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| TableError::Unreadable)?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        return reader
            .records()
            .map(|r| r.map(|rec| rec.iter().map(str::to_owned).collect()).map_err(|_| TableError::Unreadable))
            .collect();
    }
    let mut workbook =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|_| TableError::Unreadable)?;
    let range = workbook.worksheet_range_at(0).ok_or(TableError::Unreadable)?.map_err(|_| TableError::Unreadable)?;
    Ok(range.rows().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect())
}

/// Maps headers to columns and validates every data row.
pub fn parse_enterprises(table: &[Vec<String>]) -> Result<(Vec<ParsedRow>, Vec<RowError>), TableError> {
    let header = table.first().ok_or_else(|| TableError::MissingColumn("企业名称".into()))?;
    let mut index = HashMap::new();
    for (field, names) in COLUMNS {
        if let Some(i) = header.iter().position(|h| names.iter().any(|n| n.eq_ignore_ascii_case(h.trim()))) {
            index.insert(field, i);
        }
    }
    for (field, names) in COLUMNS {
        let optional = matches!(field, "key_enterprise" | "longitude" | "latitude");
        if !optional && !index.contains_key(field) {
            return Err(TableError::MissingColumn(names[0].to_owned()));
        }
    }
    if table.len() - 1 > MAX_ROWS {
        return Err(TableError::TooManyRows(MAX_ROWS));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, cells) in table.iter().enumerate().skip(1) {
        let row = n + 1;
        let cell =
            |field: &str| index.get(field).and_then(|&i| cells.get(i)).map(|s| s.trim().to_owned()).unwrap_or_default();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row_errors = Vec::new();
        let mut number = |field: &str| {
            let text = cell(field);
            if text.is_empty() {
                return None;
            }
            text.parse::<f64>().ok().or_else(|| {
                row_errors.push(RowError { row, column: field.into(), reason: "应为数字".into() });
                None
            })
        };
        let (longitude, latitude) = (number("longitude"), number("latitude"));
        let input = EnterpriseInput {
            name: cell("name"),
            credit_code: cell("credit_code"),
            address: cell("address"),
            industry: cell("industry").chars().take(1).collect(),
            scale: cell("scale"),
            key_enterprise: matches!(cell("key_enterprise").as_str(), "是" | "Y" | "y" | "yes" | "true" | "1" | "重点"),
            longitude,
            latitude,
            contact_name: cell("contact_name"),
            contact_mobile: cell("contact_mobile"),
        };
        if cell("community").is_empty() {
            row_errors.push(RowError { row, column: "community".into(), reason: "所属社区不能为空".into() });
        }
        match input.validate() {
            Ok(details) => {
                if let Some(first) = seen.insert(details.credit_code.as_str().to_owned(), row) {
                    row_errors.push(RowError {
                        row,
                        column: "credit_code".into(),
                        reason: format!("与第{first}行重复"),
                    });
                }
                if row_errors.is_empty() {
                    rows.push(ParsedRow { row, details, community: cell("community") });
                }
            }
            Err(field_errors) => row_errors.extend(field_errors.0.into_iter().map(|e| RowError {
                row,
                column: e.field,
                reason: e.message,
            })),
        }
        errors.extend(row_errors);
    }
    Ok((rows, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}企业名称,统一社会信用代码,地址,行业门类,规模,重点企业,经度,纬度,联系人,联系电话,所属社区\n\
        甲公司,91350100M000100Y43,渝中区1号,I 信息,小型,是,106.5,29.5,张三,13800138000,解放碑社区\n\
        乙公司,91350100M000100Y4Z,渝中区2号,I,小型,否,,,李四,123,解放碑社区\n\
        丙公司,91350100M000100Y43,渝中区3号,C,微型,,abc,,王五,13900139000,\n\
        ,,,,,,,,,,\n";

    #[test]
    fn every_bad_row_is_reported_with_row_column_and_reason() {
        let table = read_table(CSV.as_bytes(), "企业.csv").expect("csv");
        let (rows, errors) = parse_enterprises(&table).expect("parsed");
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].row, rows[0].community.as_str()), (2, "解放碑社区"));
        assert!(rows[0].details.key_enterprise);
        let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            found,
            vec![(3, "credit_code"), (3, "contact_mobile"), (4, "longitude"), (4, "community"), (4, "credit_code")]
        );
        assert_eq!(errors[4].reason, "与第2行重复");
    }

    #[test]
    fn a_missing_column_or_unreadable_file_is_a_clear_error() {
        let table = read_table("企业名称,地址\n甲,乙\n".as_bytes(), "a.csv").expect("csv");
        assert_eq!(parse_enterprises(&table).err(), Some(TableError::MissingColumn("统一社会信用代码".into())));
        assert_eq!(read_table(b"\xff\xfe", "a.csv"), Err(TableError::Unreadable));
        assert_eq!(read_table(b"not a zip", "a.xlsx"), Err(TableError::Unreadable));
    }
}
