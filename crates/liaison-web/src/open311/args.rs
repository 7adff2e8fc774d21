//! Open311 arguments, from a query string or a form body, decoded strictly: valid UTF-8 after
//! percent-decoding, each argument at most once unless it is a comma list, empty values taken as
//! absent, and service attributes as `attribute[CODE]` or `attribute[CODE][]`.

use liaison_core::open311::GivenAttribute;

/// Decoded arguments, in the order given.
#[derive(Debug, Clone, Default)]
pub struct Args {
    pairs: Vec<(String, String)>,
}

/// Percent-decodes one half of a pair (`+` is a space); control characters other than tab and line
/// breaks are refused, as everywhere else (`clean_input`).
fn decode(raw: &[u8]) -> Result<String, String> {
    let text = crate::clean_input::decoded(raw, true).map_err(|()| "not valid percent-encoded UTF-8".to_owned())?;
    match liaison_core::validate::text::first_refused_control(&text) {
        None => Ok(text),
        Some(_) => Err("holds a control character (only tab and line breaks are allowed)".to_owned()),
    }
}

impl Args {
    /// Parses `a=1&b=2` (a query string or an `application/x-www-form-urlencoded` body).
    pub fn parse(raw: &[u8]) -> Result<Args, String> {
        let mut pairs = Vec::new();
        for part in raw.split(|&b| b == b'&').filter(|part| !part.is_empty()) {
            let (name, value) = match part.iter().position(|&b| b == b'=') {
                Some(at) => (&part[..at], &part[at + 1..]),
                None => (part, &[][..]),
            };
            let name = decode(name)?;
            if name.is_empty() {
                return Err("an argument has no name".into());
            }
            let value = decode(value).map_err(|problem| format!("argument {name}: {problem}"))?;
            pairs.push((name, value));
        }
        Ok(Args { pairs })
    }

    /// Refuses arguments outside `known` (attributes are checked against the service elsewhere).
    pub fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.pairs.iter().find(|(name, _)| !known.contains(&name.as_str()) && !name.starts_with("attribute[")) {
            Some((name, _)) => Err(format!("unknown argument {name}")),
            None => Ok(()),
        }
    }

    /// The one value of `name`, trimmed; `None` when absent or empty. Given twice is an error.
    pub fn one(&self, name: &str) -> Result<Option<&str>, String> {
        let mut values = self.pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.trim());
        let first = values.next();
        if values.next().is_some() {
            return Err(format!("{name} is given more than once"));
        }
        Ok(first.filter(|v| !v.is_empty()))
    }

    /// Every value of a comma-list argument, which may also be repeated (`status=open&status=closed`).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The `attribute[CODE]` and `attribute[CODE][]` arguments, grouped by code in order of first use.
    pub fn attributes(&self) -> Result<Vec<GivenAttribute>, String> {
        let mut given: Vec<GivenAttribute> = Vec::new();
        for (name, value) in &self.pairs {
            let Some(inner) = name.strip_prefix("attribute[") else { continue };
            let (code, multiple) = match inner.strip_suffix("][]") {
                Some(code) => (code, true),
                None => (inner.strip_suffix(']').ok_or_else(|| format!("malformed argument {name}"))?, false),
            };
            if code.is_empty() || code.contains(['[', ']']) {
                return Err(format!("malformed argument {name}"));
            }
            match given.iter_mut().find(|g| g.code == code) {
                Some(existing) if existing.multiple && multiple => existing.values.push(value.clone()),
                Some(_) => return Err(format!("attribute {code} is given more than once")),
                None => given.push(GivenAttribute { code: code.into(), multiple, values: vec![value.clone()] }),
            }
        }
        Ok(given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_strictly_and_empty_means_absent() {
        let args =
            Args::parse(b"service_code=1&description=%E8%B7%AF%E7%81%AF+%E5%9D%8F&lat=&status=open&status=closed,")
                .expect("valid in the test");
        assert_eq!(args.one("description"), Ok(Some("路灯 坏")));
        assert_eq!(args.one("lat"), Ok(None));
        assert_eq!(args.one("long"), Ok(None));
        assert_eq!(args.list("status"), ["open", "closed"]);
        assert!(args.only(&["service_code", "description", "lat", "status"]).is_ok());
        assert_eq!(args.only(&["service_code"]), Err("unknown argument description".into()));
        assert!(Args::parse(b"description=%FF").is_err());
        assert!(Args::parse(b"=x").is_err());
        assert!(Args::parse(b"a=1&a=2").expect("valid in the test").one("a").is_err());
    }

    #[test]
    fn attributes_group_single_and_multiple_values() {
        let args = Args::parse(b"attribute%5Bn%5D=3&attribute[m][]=a&attribute[m][]=b").expect("valid in the test");
        assert_eq!(
            args.attributes(),
            Ok(vec![
                GivenAttribute { code: "n".into(), multiple: false, values: vec!["3".into()] },
                GivenAttribute { code: "m".into(), multiple: true, values: vec!["a".into(), "b".into()] },
            ])
        );
        for bad in [&b"attribute[n]=1&attribute[n]=2"[..], b"attribute[n=1", b"attribute[]=1", b"attribute[a[b]]=1"] {
            assert!(
                Args::parse(bad).expect("valid in the test").attributes().is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
