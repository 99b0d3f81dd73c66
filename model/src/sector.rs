//! The six sectors a member works in.

use crate::fields::Choice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sector {
    LocalGov,
    NationalGov,
    Private,
    Nonprofit,
    Academic,
    Other,
}

impl Sector {
    pub const ALL: [Sector; 6] = [
        Sector::LocalGov,
        Sector::NationalGov,
        Sector::Private,
        Sector::Nonprofit,
        Sector::Academic,
        Sector::Other,
    ];

    pub fn name_ja(self) -> &'static str {
        match self {
            Sector::LocalGov => "地方公務員",
            Sector::NationalGov => "国家公務員",
            Sector::Private => "民間企業",
            Sector::Nonprofit => "NPO・団体",
            Sector::Academic => "大学・研究",
            Sector::Other => "その他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Sector::LocalGov => "Local government",
            Sector::NationalGov => "National government",
            Sector::Private => "Private sector",
            Sector::Nonprofit => "Nonprofit",
            Sector::Academic => "Academia",
            Sector::Other => "Other",
        }
    }
}

impl Choice for Sector {
    fn all() -> &'static [Self] {
        &Sector::ALL
    }

    fn slug(self) -> &'static str {
        match self {
            Sector::LocalGov => "local-gov",
            Sector::NationalGov => "national-gov",
            Sector::Private => "private",
            Sector::Nonprofit => "nonprofit",
            Sector::Academic => "academic",
            Sector::Other => "other",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Sector::LocalGov => &["地方公務員", "自治体"],
            Sector::NationalGov => &["国家公務員", "省庁"],
            Sector::Private => &["民間企業", "民間", "企業"],
            Sector::Nonprofit => &["NPO・団体", "NPO", "団体"],
            Sector::Academic => &["大学・研究", "大学", "研究"],
            Sector::Other => &["その他"],
        }
    }
}
