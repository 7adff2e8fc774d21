//! Open311 documents as one ordered tree, written as JSON or XML: a record's fields keep the
//! specification's order, a list names the element of each entry (`services` → `service`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The two formats of every Open311 resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`
    Json,
    /// `.xml`
    Xml,
}

impl Format {
    /// Splits `requests.json` into its name and format; `None` for any other extension.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, extension) = file.rsplit_once('.')?;
        match extension {
            "json" => Some((name, Format::Json)),
            "xml" => Some((name, Format::Xml)),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// A value of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A whole number.
    Integer(i64),
    /// `true` / `false`.
    Bool(bool),
    /// No value (`null`, an empty element).
    Null,
    /// Fields in order.
    Record(Vec<(&'static str, Node)>),
    /// Entries, each an element of this name in XML.
    List(&'static str, Vec<Node>),
}

impl Node {
    /// Text, or `Null` when absent.
    pub fn text_or_null(value: Option<impl Into<String>>) -> Node {
        value.map_or(Node::Null, |v| Node::Text(v.into()))
    }

    /// Writes the value as JSON (fields in order; no intermediate tree: a list of 1,000 requests is
    /// written straight into one buffer).
    fn write_json(&self, out: &mut String) {
        match self {
            Node::Text(text) => json_string(text, out),
            Node::Number(n) => match serde_json::Number::from_f64(*n) {
                Some(number) => out.push_str(&number.to_string()),
                None => out.push_str("null"),
            },
            Node::Integer(n) => out.push_str(&n.to_string()),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Null => out.push_str("null"),
            Node::Record(fields) => {
                out.push('{');
                for (n, (key, value)) in fields.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    json_string(key, out);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
            Node::List(_, entries) => {
                out.push('[');
                for (n, entry) in entries.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    entry.write_json(out);
                }
                out.push(']');
            }
        }
    }

    fn write_xml(&self, name: &str, out: &mut String) {
        out.push('<');
        out.push_str(name);
        out.push('>');
        match self {
            Node::Text(text) => escape_into(text, out),
            Node::Number(n) => out.push_str(&n.to_string()),
            Node::Integer(n) => out.push_str(&n.to_string()),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Null => {}
            Node::Record(fields) => fields.iter().for_each(|(k, v)| v.write_xml(k, out)),
            Node::List(entry, entries) => entries.iter().for_each(|v| v.write_xml(entry, out)),
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }

    /// The document in `format`, with `root` as the XML root element.
    pub fn render(&self, format: Format, root: &str) -> String {
        match format {
            Format::Json => {
                let mut out = String::new();
                self.write_json(&mut out);
                out
            }
            Format::Xml => {
                let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
                self.write_xml(root, &mut out);
                out
            }
        }
    }

    /// An HTTP response carrying the document.
    pub fn respond(&self, status: StatusCode, format: Format, root: &str) -> Response {
        let mut response = (status, self.render(format, root)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
        response
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259); runs of
/// other characters are copied whole.
fn json_string(text: &str, out: &mut String) {
    out.push('"');
    let mut plain = 0;
    for (at, c) in text.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c < ' ' => "",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        if escaped.is_empty() {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push_str(escaped);
        }
        plain = at + c.len_utf8();
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

/// Escapes markup characters and drops characters XML 1.0 cannot carry (most control characters).
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Node {
        Node::List(
            "request",
            vec![Node::Record(vec![
                ("service_request_id", Node::Text("YZ-2026-000001".into())),
                ("description", Node::Text("a < b & \"c\"\u{1}\\\n".into())),
                ("lat", Node::Number(30.25)),
                ("address_id", Node::Null),
                ("metadata", Node::Bool(true)),
            ])],
        )
    }

    #[test]
    fn xml_keeps_field_order_and_escapes_text() {
        assert_eq!(
            sample().render(Format::Xml, "service_requests"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>\
             <service_request_id>YZ-2026-000001</service_request_id>\
             <description>a &lt; b &amp; &quot;c&quot;\\\n</description><lat>30.25</lat>\
             <address_id></address_id><metadata>true</metadata></request></service_requests>"
        );
    }

    #[test]
    fn json_is_an_array_of_objects() {
        let json: serde_json::Value =
            serde_json::from_str(&sample().render(Format::Json, "x")).expect("valid in the test");
        assert_eq!(json[0]["service_request_id"], "YZ-2026-000001");
        assert_eq!(json[0]["lat"], 30.25);
        assert!(json[0]["address_id"].is_null());
        assert_eq!(json[0]["description"], "a < b & \"c\"\u{1}\\\n");
    }

    #[test]
    fn only_json_and_xml_are_formats() {
        assert_eq!(Format::split("requests.json"), Some(("requests", Format::Json)));
        assert_eq!(Format::split("YZ-2026-000001.xml"), Some(("YZ-2026-000001", Format::Xml)));
        assert_eq!(Format::split("requests.csv"), None);
        assert_eq!(Format::split("requests"), None);
    }
}
