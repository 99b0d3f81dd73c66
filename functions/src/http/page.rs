//! The HTML the functions answer with: the join form (served with a signed fill-time stamp,
//! re-displayed with an error beside each field and every typed value kept) and short
//! message pages. Every value is escaped. Works without JavaScript.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use model::{Choice, Prefecture};

use crate::form::{CONSENT, EMAIL, FORM_TOKEN, HONEYPOT};
pub use crate::services::Site;
use model::profile::{FieldErrors, FormFields};

pub use model::text::escape_html as escape;

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn layout(title: &str, site: &Site, main: &str) -> String {
    let (full_title, header) = if site.name.is_empty() {
        (escape(title), String::new())
    } else {
        (
            format!("{} | {}", escape(title), escape(&site.name)),
            format!(
                "<header class=\"site-header\"><div class=\"wrap header-row\"><a class=\"site-title\" href=\"{}/\">{}</a></div></header>\n",
                escape(site.url.trim_end_matches('/')),
                escape(&site.name)
            ),
        )
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{full_title}</title>\n<link rel=\"icon\" href=\"{url}/favicon.svg\" type=\"image/svg+xml\">\n<link rel=\"stylesheet\" href=\"{url}/css/style.css\">\n</head>\n<body>\n{header}<main id=\"main\" class=\"wrap\">\n{main}\n</main>\n</body>\n</html>\n",
        url = escape(site.url.trim_end_matches('/')),
    )
}

/// A short page with a heading and a message, of `site`.
pub fn site_message_page(status: StatusCode, site: &Site, title: &str, message: &str) -> Response {
    html(
        status,
        layout(
            title,
            site,
            &format!("<h1>{}</h1>\n<p>{}</p>", escape(title), escape(message)),
        ),
    )
}

/// A short page with a heading and a message, of no named site (see `name_error_pages`).
pub fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    html(
        status,
        layout(
            title,
            &Site {
                url: String::new(),
                name: String::new(),
            },
            &format!("<h1>{}</h1>\n<p>{}</p>", escape(title), escape(message)),
        ),
    )
}

/// A page with a message and a link back to the portal.
pub fn notice_page(status: StatusCode, site: &Site, title: &str, message: &str) -> Response {
    let main = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a class=\"button\" href=\"{}/\">トップページへ</a></p>",
        escape(title),
        escape(message),
        escape(site.url.trim_end_matches('/'))
    );
    html(status, layout(title, site, &main))
}

/// A page with a heading and ready-made (escaped) HTML.
/// The page a link in a mail opens: a question and one button that posts the link's token
/// to `action`. Mail scanners and link previews fetch links; only the button acts.
pub fn button_page(
    site: &Site,
    title: &str,
    question: &str,
    action: &str,
    token: &str,
    button: &str,
) -> Response {
    let main = format!(
        "<p>{}</p>\n<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"token\" value=\"{}\"><button class=\"button\" type=\"submit\">{}</button></form>",
        escape(question),
        escape(action),
        escape(token),
        escape(button)
    );
    page_with(StatusCode::OK, site, title, &main)
}

pub fn page_with(status: StatusCode, site: &Site, title: &str, main_html: &str) -> Response {
    html(
        status,
        layout(
            title,
            site,
            &format!("<h1>{}</h1>\n{main_html}", escape(title)),
        ),
    )
}

/// One input of a [`ShortForm`].
pub struct ShortField<'a> {
    pub name: &'a str,
    pub label: &'a str,
    /// `text`, `email`, `textarea` or `checkbox` (sent as `yes` when checked).
    pub kind: &'a str,
    pub required: bool,
    pub max_chars: usize,
}

/// A short public form (an event sign-up, a request for a profile's edit or removal link)
/// as the functions answer it when a page without script posted it unstamped: what was
/// typed, now stamped, to send once more. Nothing was stored or mailed.
pub struct ShortForm<'a> {
    pub title: &'a str,
    pub action: &'a str,
    pub fields: &'a [ShortField<'a>],
    /// What was posted: shown again as it would be stored, without the spent stamp.
    pub sent: &'a FormFields,
    pub button: &'a str,
}

impl ShortForm<'_> {
    /// The form, filled with what was sent and carrying a fresh stamp.
    pub fn render(&self, services: &crate::services::Services) -> Response {
        let notice = format!(
            "送信の前に、内容をもう一度確認してください。よければ「{}」を押すと送信されます。",
            self.button
        );
        self.render_with(services, StatusCode::OK, &FieldErrors::new(), &notice)
    }

    /// The form, filled and stamped, with `errors` beside their fields and `notice` above.
    pub fn render_with(
        &self,
        services: &crate::services::Services,
        status: StatusCode,
        errors: &FieldErrors,
        notice: &str,
    ) -> Response {
        let mut values = crate::form::normalize(self.sent);
        values.remove(FORM_TOKEN);
        let form_token = crate::form::new_stamp(services);
        let mut main = format!(
            "<p class=\"status\" role=\"status\">{}</p>\n<form method=\"post\" action=\"{}\" accept-charset=\"utf-8\">\n",
            escape(notice),
            escape(self.action)
        );
        for field in self.fields {
            let value = values.get(field.name).map(String::as_str).unwrap_or("");
            let problems = errors.get(field.name).filter(|p| !p.is_empty());
            let required = match problems {
                Some(_) => format!(
                    "{} aria-invalid=\"true\" aria-describedby=\"{}-error\"",
                    if field.required { " required" } else { "" },
                    escape(field.name)
                ),
                None => (if field.required { " required" } else { "" }).to_owned(),
            };
            if field.kind == "checkbox" {
                let checked = if value == "yes" { " checked" } else { "" };
                main.push_str(&format!(
                    "<p class=\"field\"><input id=\"{0}\" name=\"{0}\" type=\"checkbox\" value=\"yes\"{checked}> <label class=\"inline\" for=\"{0}\">{1}</label></p>\n",
                    escape(field.name),
                    escape(field.label)
                ));
                continue;
            }
            let input = if field.kind == "textarea" {
                format!(
                    "<textarea id=\"{0}\" name=\"{0}\" rows=\"3\" maxlength=\"{1}\"{required}>{2}</textarea>",
                    escape(field.name),
                    field.max_chars,
                    escape(value)
                )
            } else {
                format!(
                    "<input id=\"{0}\" name=\"{0}\" type=\"{1}\" maxlength=\"{2}\" value=\"{3}\"{required}>",
                    escape(field.name),
                    escape(field.kind),
                    field.max_chars,
                    escape(value)
                )
            };
            main.push_str(&format!(
                "<p class=\"field\"><label for=\"{}\">{}</label> {input}</p>\n",
                escape(field.name),
                escape(field.label)
            ));
            if let Some(problems) = problems {
                main.push_str(&format!(
                    "<p class=\"error\" id=\"{}-error\">{}</p>\n",
                    escape(field.name),
                    problems
                        .iter()
                        .map(|p| escape(p))
                        .collect::<Vec<_>>()
                        .join("<br>")
                ));
            }
        }
        main.push_str(&format!(
            "<p class=\"field\" hidden><label for=\"{HONEYPOT}\">この欄は空のままにしてください</label> <input id=\"{HONEYPOT}\" name=\"{HONEYPOT}\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></p>\n<input type=\"hidden\" name=\"{FORM_TOKEN}\" value=\"{}\">\n<p><button class=\"button\" type=\"submit\">{}</button></p>\n</form>",
            escape(&form_token),
            escape(self.button)
        ));
        page_with(status, &services.site(), self.title, &main)
    }
}

/// What the join form shows: typed values, errors by field, a notice at the top.
pub struct JoinForm<'a> {
    pub site: &'a Site,
    pub values: &'a FormFields,
    pub errors: &'a FieldErrors,
    pub notice: Option<&'a str>,
    pub form_token: &'a str,
    /// Editing a published profile: the mailed link's token, sent back with the form
    /// (no address, no consent: the link proved both).
    pub edit_token: Option<&'a str>,
}

impl JoinForm<'_> {
    fn value(&self, name: &str) -> String {
        escape(self.values.get(name).map(String::as_str).unwrap_or(""))
    }

    /// `aria-invalid` and the error paragraph of a field, if it has errors.
    fn error(&self, name: &str) -> (String, String) {
        match self.errors.get(name) {
            Some(messages) if !messages.is_empty() => {
                let id = format!("{}-error", name.replace('.', "-"));
                let text = messages
                    .iter()
                    .map(|m| escape(m))
                    .collect::<Vec<_>>()
                    .join("<br>");
                (
                    format!(" aria-invalid=\"true\" aria-describedby=\"{id}\""),
                    format!("<p class=\"error\" id=\"{id}\">{text}</p>\n"),
                )
            }
            _ => (String::new(), String::new()),
        }
    }

    fn input(&self, name: &str, label: &str, kind: &str, extra: &str) -> String {
        let (aria, error) = self.error(name);
        let id = name.replace('.', "-");
        format!(
            "<p class=\"field\"><label for=\"{id}\">{label}</label>\n<input id=\"{id}\" name=\"{name}\" type=\"{kind}\" value=\"{}\"{extra}{aria}></p>\n{error}",
            self.value(name)
        )
    }

    fn select<T: Copy>(
        &self,
        name: &str,
        label: &str,
        options: &[T],
        slug: impl Fn(T) -> &'static str,
        text: impl Fn(T) -> &'static str,
        required: bool,
    ) -> String {
        let (aria, error) = self.error(name);
        let chosen = self.values.get(name).map(String::as_str).unwrap_or("");
        let mut out = format!(
            "<p class=\"field\"><label for=\"{name}\">{label}</label>\n<select id=\"{name}\" name=\"{name}\"{}{aria}>\n<option value=\"\">選んでください</option>\n",
            if required { " required" } else { "" }
        );
        for &option in options {
            let selected = if slug(option) == chosen {
                " selected"
            } else {
                ""
            };
            out.push_str(&format!(
                "<option value=\"{}\"{selected}>{}</option>\n",
                slug(option),
                escape(text(option))
            ));
        }
        out.push_str("</select></p>\n");
        out.push_str(&error);
        out
    }

    fn textarea(&self, name: &str, label: &str, hint: &str) -> String {
        let (aria, error) = self.error(name);
        format!(
            "<p class=\"field\"><label for=\"{name}\">{label}</label> <small>{hint}</small>\n<textarea id=\"{name}\" name=\"{name}\" rows=\"6\"{aria}>{}</textarea></p>\n{error}",
            self.value(name)
        )
    }

    pub fn render(&self, status: StatusCode) -> Response {
        self.render_with(status, "")
    }

    /// The form, then `after_html` (ready-made, escaped HTML) below it.
    pub fn render_with(&self, status: StatusCode, after_html: &str) -> Response {
        let (heading, action, button) = match self.edit_token {
            Some(_) => (
                "プロフィールの更新",
                "/api/members/edit",
                "更新を送る".to_owned(),
            ),
            None => (
                "メンバー登録",
                "/api/members",
                crate::words::ui("join_submit"),
            ),
        };
        let mut main = self.opening(heading);
        main.push_str(&format!("<form method=\"post\" action=\"{action}\" accept-charset=\"utf-8\" enctype=\"multipart/form-data\">\n"));
        // The same fields as the site's /join/ page, from the one renderer in the model.
        let fields = model::join_form::JoinFields {
            words: &crate::words::ui,
            language: model::Language::Ja,
            values: self.values,
            errors: self.errors,
            form_token: self.form_token,
            edit_token: self.edit_token,
            submit: &button,
        };
        main.push_str(&fields.render());
        main.push_str("</form>");
        main.push_str(after_html);
        html(status, layout(heading, self.site, &main))
    }

    /// The heading, and what the page has to say before the form (a notice, or that some
    /// fields need fixing).
    fn opening(&self, heading: &str) -> String {
        let mut main = format!("<h1>{heading}</h1>\n");
        if let Some(notice) = self.notice {
            main.push_str(&format!(
                "<p class=\"status\" role=\"alert\">{}</p>\n",
                escape(notice)
            ));
        }
        if !self.errors.is_empty() && self.notice.is_none() {
            main.push_str("<p class=\"status\" role=\"alert\">入力内容を確認してください。印のある項目に問題があります。</p>\n");
        }
        main
    }

    /// ` checked` when the checkbox `name` was ticked.
    fn checked(&self, name: &str) -> &'static str {
        if self.values.get(name).is_some_and(|v| !v.is_empty()) {
            " checked"
        } else {
            ""
        }
    }

    /// The end of a public form: the consent to publish, the honeypot, the fill-time stamp
    /// and the button.
    fn closing(&self, consent: &str, button: &str) -> String {
        let (aria, error) = self.error(CONSENT);
        let checked = self.checked(CONSENT);
        format!(
            "<p class=\"field\"><input id=\"consent\" name=\"{CONSENT}\" type=\"checkbox\" value=\"yes\" required{checked}{aria}> <label for=\"consent\">{consent}</label></p>\n{error}<p class=\"field\" hidden><label for=\"{HONEYPOT}\">この欄は空のままにしてください</label> <input id=\"{HONEYPOT}\" name=\"{HONEYPOT}\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></p>\n<input type=\"hidden\" name=\"{FORM_TOKEN}\" value=\"{}\">\n<p><button class=\"button\" type=\"submit\">{button}</button></p>\n</form>",
            escape(self.form_token)
        )
    }
}

/// The form that announces an event (the functions' own page: what the site's
/// /events/new/ posts to without script is answered with it, stamped, values kept).
pub struct AnnounceForm<'a> {
    pub site: &'a Site,
    pub values: &'a FormFields,
    pub errors: &'a FieldErrors,
    pub notice: Option<&'a str>,
    pub form_token: &'a str,
}

impl AnnounceForm<'_> {
    pub fn render(&self, status: StatusCode) -> Response {
        // The join form's field helpers, over this form's values and errors.
        let f = JoinForm {
            site: self.site,
            values: self.values,
            errors: self.errors,
            notice: self.notice,
            form_token: self.form_token,
            edit_token: None,
        };
        let mut main = f.opening("イベントを知らせる");
        main.push_str("<form method=\"post\" action=\"/api/events\" accept-charset=\"utf-8\">\n");
        main.push_str(&f.input(
            "title",
            "タイトル（必須）",
            "text",
            " required maxlength=\"200\"",
        ));
        main.push_str(&f.input(
            "start",
            "開始（必須・日本時間）",
            "datetime-local",
            " required",
        ));
        main.push_str(&f.input("end", "終了（日本時間）", "datetime-local", ""));
        let checked = f.checked("online");
        main.push_str(&format!(
            "<p class=\"field\"><input id=\"online\" name=\"online\" type=\"checkbox\" value=\"yes\"{checked}> <label for=\"online\">オンラインで開く（会場と両方でも）</label></p>\n"
        ));
        main.push_str(&f.input("venue.name", "会場", "text", " maxlength=\"200\""));
        main.push_str(&f.input("venue.address", "会場の住所", "text", " maxlength=\"200\""));
        main.push_str(&f.input(
            "venue.url",
            "会場のページ（https://…）",
            "url",
            " maxlength=\"2000\"",
        ));
        main.push_str(&f.select(
            "prefecture",
            "都道府県",
            Prefecture::all(),
            |p| p.slug(),
            |p| p.name_ja(),
            false,
        ));
        main.push_str(&f.input(
            "capacity",
            "定員（ポータルで申し込みを受け付けるとき）",
            "number",
            " min=\"1\"",
        ));
        main.push_str(&f.input(
            "registration_url",
            "ほかの申し込みページ（https://…）",
            "url",
            " maxlength=\"2000\"",
        ));
        main.push_str(&f.textarea("tags", "テーマ", "1行に1つ、20個まで"));
        main.push_str(&f.input(
            "organizer_name",
            "主催（グループ名など）",
            "text",
            " maxlength=\"200\"",
        ));
        main.push_str(&f.textarea("body", "どんな集まりか", "Markdownが使えます"));
        main.push_str(&f.input(
            EMAIL,
            "あなたのメールアドレス（必須・公開されません）",
            "email",
            " required maxlength=\"254\" autocomplete=\"email\"",
        ));
        main.push_str(&f.closing(
            "メールアドレス以外の内容をポータルで公開することに同意します（必須）",
            "知らせる",
        ));
        html(status, layout("イベントを知らせる", self.site, &main))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_it_writes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
