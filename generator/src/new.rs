//! `portal new member|event|page|post <slug>`: writes a valid, commented starting file (comments
//! in Japanese, as editors write) that passes `portal check` as written.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use model::slug::{is_valid_slug, suggest_slug};

use crate::validate::{RESERVED_POST_SLUGS, RESERVED_SLUGS};

/// What kind of content file to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Member,
    Event,
    Page,
    Post,
}

impl Kind {
    fn folder(self) -> &'static str {
        match self {
            Kind::Member => "members",
            Kind::Event => "events",
            Kind::Page => "pages",
            Kind::Post => "posts",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NewError {
    #[error("`{slug}` is not a valid slug: use lowercase letters a-z, digits and hyphens{}", suggestion(.slug))]
    BadSlug { slug: String },
    #[error(
        "the page slug `{0}` is reserved for the portal's own pages; choose another, e.g. `{0}-info`"
    )]
    Reserved(String),
    #[error("{} exists already; edit it, or choose another slug", .0.display())]
    Exists(PathBuf),
    #[error("writing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn suggestion(slug: &str) -> String {
    match suggest_slug(slug) {
        Some(better) if better != slug => format!(" (did you mean `{better}`?)"),
        _ => " (e.g. `yamada-hanako` for a member, `2026-12-online-meetup` for an event)".into(),
    }
}

/// Writes `content/<folder>/<slug>.md`; `today` is the date in Japan (joined, event dates).
pub fn new_file(content: &Path, kind: Kind, slug: &str, today: Date) -> Result<PathBuf, NewError> {
    if !is_valid_slug(slug) {
        return Err(NewError::BadSlug { slug: slug.into() });
    }
    if (kind == Kind::Page && RESERVED_SLUGS.contains(&slug))
        || (kind == Kind::Post && RESERVED_POST_SLUGS.contains(&slug))
    {
        return Err(NewError::Reserved(slug.into()));
    }
    let folder = content.join(kind.folder());
    let path = folder.join(format!("{slug}.md"));
    let io = |source| NewError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&folder).map_err(io)?;
    let text = match kind {
        Kind::Member => member_template(today),
        Kind::Event => event_template(today),
        Kind::Page => PAGE_TEMPLATE.to_owned(),
        Kind::Post => post_template(today),
    };
    // `create_new` refuses an existing file even if another process made it a moment ago.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => NewError::Exists(path.clone()),
            _ => io(e),
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
    Ok(path)
}

fn member_template(today: Date) -> String {
    format!(
        "---
# メンバーのプロフィール。項目の説明は docs/content.md の「メンバー」にあります。
# 公開してよいことだけを書きます。メールアドレスや電話番号は書きません。

# 表示名（必須）。本名が基本です。
name: 山田 花子
# 読み（ひらがなかカタカナ）。メンバー一覧の五十音順に使います。
kana: やまだ はなこ
# 所属（必須）: local-gov（地方公務員） national-gov（国家公務員） private（民間企業）
#   nonprofit（NPO・団体） academic（大学・研究） other（その他）
sector: local-gov
# 組織と部署・役職（任意）
organization: 横浜市役所
role: 政策局 企画担当
# 都道府県（任意）: ローマ字で。例 tokyo kanagawa osaka（47都道府県の一覧は docs/content.md）
prefecture: kanagawa
# 関心分野（任意、20個まで。各40文字まで）
interests:
  - オープンデータ
  - 地域活性化
# リンク（任意、https:// のみ）: website facebook x linkedin note github
links:
  website: https://example.org/
# 登録日（必須、YYYY-MM-DD）
joined: {today}
# 写真（任意）: content/static/ からの相対パス。例 members/yamada-hanako.jpg
# photo: members/yamada-hanako.jpg
# 下書きのあいだは公開されません。書き終えたらこの行を消します。
draft: true
---
ここに自己紹介を書きます。仕事のこと、関心のあること、会ってみたい人など。
"
    )
}

fn event_template(today: Date) -> String {
    let day = today
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(today);
    format!(
        "---
# イベント。項目の説明は docs/content.md の「イベント」にあります。

# タイトル（必須、200文字まで）
title: 官民交流オンライン茶話会
# 開始（必須）と終了（任意）。時差の指定がなければ日本時間です。
start: {day}T19:00
end: {day}T20:30
# オンライン開催なら true。会場と両方でも構いません。
online: true
# 会場（任意）: name address url（https:// のみ）
# venue:
#   name: 横浜市役所 会議室
#   address: 神奈川県横浜市中区本町6-50-10
# 都道府県（任意）: ローマ字で。例 kanagawa
# prefecture: kanagawa
# 定員（任意）: 書くとポータルで申し込みを受け付けます。
capacity: 30
# 外部の申し込みページ（任意、https:// のみ）: 書くとポータルでは受け付けません。
# registration_url: https://example.org/apply
# 主催者（任意）: content/members/ のファイル名（.md なし）
# organizers:
#   - yamada-hanako
# 主催がメンバー以外のとき（任意）: 書いたとおりに表示します。
# organizer_name: 横浜オープンデータ研究会
# タグ（任意、20個まで）
tags:
  - 交流会
# 下書きのあいだは公開されません。書き終えたらこの行を消します。
draft: true
---
どんな集まりか、誰に来てほしいか、当日の流れを書きます。
"
    )
}

fn post_template(today: Date) -> String {
    format!(
        "---
# お知らせ。項目の説明は docs/content.md の「お知らせ」にあります。

# タイトル（必須、200文字まで）
title: 交流会のふりかえり
# 日付（必須、YYYY-MM-DD）。新しい順に並びます。
date: {today}
# 書いた人（任意）: content/members/ のファイル名（.md なし）
# author: yamada-hanako
# タグ（任意、20個まで）。メンバーの関心分野と同じ言葉なら、その一覧にリンクします。
tags:
  - 交流会
# 下書きのあいだは公開されません。書き終えたらこの行を消します。
draft: true
---
ここに本文を書きます。Markdown（見出し、箇条書き、リンク、表）が使えます。
"
    )
}

const PAGE_TEMPLATE: &str = "---
# ページ。項目の説明は docs/content.md の「ページ」にあります。

# タイトル（必須）
title: 新しいページ
# 検索結果やSNSで表示される説明（任意）
description: このページの内容を一文で。
# メインメニューに出す順番（任意）。書かなければメニューに出ません。
# menu: 5
---
ここに本文を書きます。Markdown（見出し、箇条書き、リンク、表）が使えます。
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_slugs_get_a_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        let today: Date = "2026-11-25".parse().unwrap();
        let err = new_file(dir.path(), Kind::Member, "Yamada Hanako", today).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`Yamada Hanako` is not a valid slug: use lowercase letters a-z, digits and hyphens (did you mean `yamada-hanako`?)"
        );
        let err = new_file(dir.path(), Kind::Page, "members", today).unwrap_err();
        assert!(err.to_string().contains("reserved"), "{err}");
        let err = new_file(dir.path(), Kind::Post, "page", today).unwrap_err();
        assert!(err.to_string().contains("reserved"), "{err}");
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let today: Date = "2026-11-25".parse().unwrap();
        let path = new_file(dir.path(), Kind::Page, "guide", today).unwrap();
        std::fs::write(&path, "mine").unwrap();
        let err = new_file(dir.path(), Kind::Page, "guide", today).unwrap_err();
        assert!(err.to_string().contains("exists already"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    }
}
