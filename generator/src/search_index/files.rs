//! The index's last step: postings and cards written as the index's files (varint-encoded
//! token files, card files, the fingerprinted folder and `index.json`), and read back (tests).

use rayon::prelude::*;

use super::*;

/// Each token with its postings: `(document, fields)` in document order.
pub type Postings = Vec<(String, Vec<(u32, u8)>)>;

/// JSON with every `<` written `\u003c`: member text then cannot start a tag, even for a
/// host or tool that mistakes the file for HTML. (`<` occurs only inside JSON strings, and
/// never inside a UTF-8 sequence.)
pub(super) fn json_without_tags(json: Vec<u8>) -> Vec<u8> {
    if !json.contains(&b'<') {
        return json;
    }
    let mut out = Vec::with_capacity(json.len() + 64);
    for byte in json {
        if byte == b'<' {
            out.extend_from_slice(b"\\u003c");
        } else {
            out.push(byte);
        }
    }
    out
}

/// A token and its postings as a token file holds them.
pub(super) fn encode_token(token: &str, lists: &[PartList]) -> Vec<u8> {
    let count: u64 = lists.iter().map(|l| u64::from(l.count)).sum();
    let bytes: usize = lists.iter().map(|l| l.encoded.len() + 8).sum();
    let mut out = Vec::with_capacity(token.len() + 8 + bytes);
    write_varint(&mut out, token.len() as u64);
    out.extend_from_slice(token.as_bytes());
    write_varint(&mut out, count);
    let mut previous = 0;
    for list in lists {
        list.write(previous, &mut out);
        previous = list.latest.0;
    }
    out
}

pub(super) fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7F) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub(super) fn write(
    docs: usize,
    card_files: Vec<Vec<u8>>,
    postings: Joined,
) -> Vec<(String, Vec<u8>)> {
    let encoded: Vec<Vec<u8>> = postings
        .par_iter()
        .map(|(token, list)| encode_token(token, list))
        .collect();
    let mut token_files: Vec<Vec<u8>> = Vec::new();
    let mut firsts = Vec::new();
    let mut current = Vec::new();
    for ((token, _), bytes) in postings.iter().zip(encoded) {
        if current.is_empty() {
            firsts.push(token.clone());
        }
        current.extend_from_slice(&bytes);
        if current.len() >= TOKEN_FILE_BYTES {
            token_files.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        token_files.push(current);
    }
    let hashes: Vec<u64> = token_files
        .par_iter()
        .chain(card_files.par_iter())
        .map(|file| {
            let mut hash = Fnv::default();
            hash.write(file);
            hash.finish()
        })
        .collect();
    // Tens of megabytes of postings at 50,000 members: freed on another thread.
    crate::background::drop_later(postings);
    let mut hash = Fnv::default();
    for file_hash in hashes {
        hash.write(&file_hash.to_le_bytes());
    }
    let fingerprint = format!("{:016x}", hash.finish());
    let manifest = Manifest {
        version: FORMAT_VERSION,
        fingerprint: fingerprint.clone(),
        docs,
        docs_per_file: DOCS_PER_FILE,
        tokens: firsts,
    };
    let mut files = vec![(
        format!("{FOLDER}index.json"),
        serde_json::to_vec(&manifest).unwrap_or_default(),
    )];
    files.extend(
        token_files
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| (format!("{FOLDER}{fingerprint}/t{i}.bin"), bytes)),
    );
    files.extend(
        card_files
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| (format!("{FOLDER}{fingerprint}/d{i}.json"), bytes)),
    );
    files
}

/// FNV-1a, 64 bits: stable across Rust versions (the standard hasher is not promised to be).
pub(super) struct Fnv(pub(super) u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub(super) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    pub(super) fn finish(&self) -> u64 {
        self.0
    }
}

/// A token file read back: each token with its `(document, fields)` postings. For tests and
/// tools; the browser has its own reader (themes/default/static/js/search.js).
pub fn read_token_file(bytes: &[u8]) -> Result<Postings, String> {
    let mut at = 0;
    let varint = |at: &mut usize| -> Result<u64, String> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let byte = *bytes.get(*at).ok_or("the file ends inside a number")?;
            *at += 1;
            value |= u64::from(byte & 0x7F) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err("a number is too long".into());
            }
        }
    };
    let mut out = Vec::new();
    while at < bytes.len() {
        let len = varint(&mut at)? as usize;
        let text = bytes
            .get(at..at + len)
            .ok_or("the file ends inside a token")?;
        let token = std::str::from_utf8(text)
            .map_err(|e| e.to_string())?
            .to_owned();
        at += len;
        let count = varint(&mut at)?;
        let mut list = Vec::new();
        let mut doc = 0u64;
        for _ in 0..count {
            let value = varint(&mut at)?;
            doc += value / 64;
            list.push((doc as u32, (value % 64) as u8));
        }
        out.push((token, list));
    }
    Ok(out)
}
