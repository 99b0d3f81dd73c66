//! `/outbox/`: the mails the functions "sent" into the local outbox folder, newest first,
//! with their links clickable, so that a person can open a confirmation link.

use std::path::Path;

use functions::http::page::escape;

/// One mail as read from its `.eml` file.
#[derive(Debug, PartialEq)]
pub struct Mail {
    pub file: String,
    pub to: String,
    pub subject: String,
    pub date: String,
    pub body: String,
}

/// Reads one message as `functions::mail::render_eml` writes it: headers, a blank line, a
/// UTF-8 body.
pub fn parse(file: &str, text: &str) -> Mail {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str("\r\n");
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| functions::email::decode_header(v))
            .unwrap_or_default()
    };
    Mail {
        file: file.to_owned(),
        to: header("to"),
        subject: header("subject"),
        date: header("date"),
        body: body.trim_end().to_owned(),
    }
}

/// Every mail in `dir`, newest first (file names start with the time they were written).
pub fn read(dir: &Path) -> Vec<Mail> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".eml"))
        .collect();
    names.sort_by(|a, b| b.cmp(a));
    names
        .into_iter()
        .filter_map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).ok()?;
            Some(parse(&name, &text))
        })
        .collect()
}

/// The body as HTML: escaped, with every http(s) address a link.
fn linked(body: &str) -> String {
    let mut out = String::new();
    for (i, line) in body.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            if word.starts_with("http://") || word.starts_with("https://") {
                out.push_str(&format!("<a href=\"{0}\">{0}</a>", escape(word)));
            } else {
                out.push_str(&escape(word));
            }
        }
    }
    out
}

/// The outbox page.
pub fn page(dir: &Path) -> String {
    let mails = read(dir);
    let mut list = String::new();
    for mail in &mails {
        list.push_str(&format!(
            "<article class=\"mail\"><h2>{}</h2><dl><dt>宛先 To</dt><dd>{}</dd><dt>日時 Date</dt><dd>{}</dd><dt>ファイル File</dt><dd><code>{}</code></dd></dl><pre>{}</pre></article>\n",
            escape(&mail.subject),
            escape(&mail.to),
            escape(&mail.date),
            escape(&mail.file),
            linked(&mail.body)
        ));
    }
    if mails.is_empty() {
        list.push_str(
            "<p>まだメールはありません。フォームから登録すると、確認メールがここに届きます。</p>",
        );
    }
    format!(
        "<!doctype html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>送信箱 (outbox) — portal serve</title>\n<style>body{{font:16px/1.7 system-ui,sans-serif;max-width:50rem;margin:0 auto;padding:1rem}}pre{{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f6;padding:1rem}}dl{{display:grid;grid-template-columns:auto 1fr;gap:0 1rem}}dd{{margin:0;overflow-wrap:anywhere}}.mail{{border-top:1px solid #ccc;padding-top:1rem}}</style></head>\n<body><h1>送信箱 (outbox)</h1><p>portal serve はメールを送らず、ここ（{}）に置きます。{} 通、新しい順。</p>\n{list}</body></html>\n",
        escape(&dir.display().to_string()),
        mails.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_mail_as_the_outbox_writes_it() {
        let message = functions::mail::Message {
            to: "hanako@example.org".into(),
            subject: "【まじわる】メールアドレスの確認".into(),
            body: "こんにちは。\n確認: http://127.0.0.1:1111/api/confirm?t=a&b=<c>\n".into(),
        };
        let text = functions::mail::render_eml(
            "portal <no-reply@example.org>",
            &message,
            jiff::Timestamp::UNIX_EPOCH,
            "id",
        );
        let mail = parse("1-id.eml", &text);
        assert_eq!(mail.to, "hanako@example.org");
        assert_eq!(mail.subject, "【まじわる】メールアドレスの確認");
        assert!(mail.body.starts_with("こんにちは。\n確認:"));
        let html = linked(&mail.body);
        assert!(
            html.contains("<a href=\"http://127.0.0.1:1111/api/confirm?t=a&amp;b=&lt;c&gt;\">"),
            "{html}"
        );
    }
}
