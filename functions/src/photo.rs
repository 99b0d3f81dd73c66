//! Profile photos as members upload them: a real JPEG, PNG or WebP image of at most 4 MB
//! comes out as a JPEG of at most 512 pixels on its longer side, turned upright, with no
//! metadata at all (no GPS position, no camera, no comments), since only pixels are kept.
//!
//! A small file can claim a huge picture, or decompress to one (a zlib bomb): every bound
//! is checked before the pixels are decoded, and the decoder itself holds to them, so one
//! request costs at most about [`DECODE_BUDGET`] of memory whatever it sends.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

/// The largest upload accepted, in bytes. On Lambda a request is at most 6 MB as the event
/// carries it, and a binary body arrives base64-encoded (4/3 larger): 4 MiB of photo and
/// 64 KiB of text come to 5.4 MiB, which fits with the event's headers.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;
/// What the forms say of it.
pub const MAX_UPLOAD_TEXT: &str = "4MB";
/// The longer side of a kept photo, in pixels.
pub const MAX_SIDE: u32 = 512;
/// Neither side may be longer, and the picture no larger, by what its header says.
pub const MAX_HEADER_SIDE: u32 = 8000;
pub const MAX_HEADER_PIXELS: u64 = 40_000_000;
/// The memory the decoded picture may take (the decoder's own limit, counted in bytes of
/// pixels as it decodes them: 16 megapixels of 8-bit colour). A 12-megapixel phone photo
/// fits; a larger or 16-bit one is refused with a word to shrink it first.
pub const DECODE_BUDGET: u64 = 48 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;
/// The most a kept photo may take (see [`process`]).
pub const MAX_STORED_BYTES: usize = 200 * 1024;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is larger than 4 MB")]
    TooLarge,
    #[error("the file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the image is {width}×{height} pixels, more than a photo needs")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image could not be read: it is damaged, or not what its name says")]
    Unreadable,
}

impl PhotoError {
    /// The problem and what to do, for the join form beside the file input.
    pub fn message_ja(&self) -> &'static str {
        match self {
            PhotoError::TooLarge => "写真は4MB以内のものを選んでください",
            PhotoError::TooManyPixels { .. } => {
                "写真の画素数が大きすぎます。小さくしてから選んでください（1200万画素まで）"
            }
            PhotoError::NotAnImage => "写真はJPEG・PNG・WebPの画像を選んでください",
            PhotoError::Unreadable => {
                "写真を読み取れませんでした。壊れていない別の画像を選んでください"
            }
        }
    }

    /// What the member should do, for the form.
    pub fn hint(&self) -> &'static str {
        match self {
            PhotoError::TooLarge | PhotoError::TooManyPixels { .. } => {
                "choose a smaller photo (a 512-pixel square is enough)"
            }
            PhotoError::NotAnImage | PhotoError::Unreadable => {
                "choose a photo saved as JPEG, PNG or WebP"
            }
        }
    }
}

/// A photo ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Checks and re-encodes an uploaded photo. The format is read from the bytes, never from
/// a file name or a content type the client sent.
pub fn process(bytes: &[u8]) -> Result<Photo, PhotoError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    // A PNG's ancillary chunks are never kept, and some are compressed (a colour profile
    // of a few hundred KB can inflate to gigabytes): only the picture's own chunks are
    // given to the decoder.
    let stripped;
    let bytes = if format == ImageFormat::Png {
        stripped = png_picture_chunks(bytes)?;
        &stripped[..]
    } else {
        bytes
    };
    let limits = || {
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_HEADER_SIDE);
        limits.max_image_height = Some(MAX_HEADER_SIDE);
        limits.max_alloc = Some(DECODE_BUDGET);
        limits
    };
    // The header first, read without decoding the picture, to refuse a huge one by its
    // size; the decoder's own limits then hold whatever the header said.
    let mut header = ImageReader::with_format(Cursor::new(bytes), format);
    // Only the header is read here, so it needs no limits, and the refusal names the size.
    header.no_limits();
    let (width, height) = header
        .into_dimensions()
        .map_err(|_| PhotoError::Unreadable)?;
    if width > MAX_HEADER_SIDE
        || height > MAX_HEADER_SIDE
        || u64::from(width) * u64::from(height) > MAX_HEADER_PIXELS
    {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader
        .into_decoder()
        .map_err(|error| refused(error, width, height))?;
    // The real allocation, not the header's pixel count alone: a 16-bit or many-channel
    // picture takes more bytes a pixel. Refused before a byte of it is allocated.
    if decoder.total_bytes() > DECODE_BUDGET {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    // A phone's photo is often stored on its side with an orientation tag: turn it upright
    // before the tag is dropped with the rest of the metadata.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture =
        DynamicImage::from_decoder(decoder).map_err(|error| refused(error, width, height))?;
    // Shrunk by averaging into the small picture itself: no intermediate buffer of the
    // large one's size (a two-pass filter would hold one).
    if picture.width().max(picture.height()) > MAX_SIDE {
        picture = picture.thumbnail(MAX_SIDE, MAX_SIDE);
    }
    picture.apply_orientation(orientation);
    let rgb = on_white(&picture);
    // A busy picture at 512 px is rarely over 100 KB; the quality steps down if it is over
    // what a store item holds comfortably (DynamoDB's items end at 400 KB).
    let mut jpeg = Vec::new();
    for quality in [JPEG_QUALITY, 70, 50] {
        jpeg.clear();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality);
        rgb.write_with_encoder(encoder)
            .map_err(|_| PhotoError::Unreadable)?;
        if jpeg.len() <= MAX_STORED_BYTES {
            break;
        }
    }
    Ok(Photo {
        width: rgb.width(),
        height: rgb.height(),
        jpeg,
    })
}

/// The PNG with only the chunks that make its picture (header, palette, transparency, the
/// image data, the end), in their order: every other chunk (colour profiles, texts, EXIF,
/// whatever comes) is dropped unread, so nothing but the picture is ever decompressed.
fn png_picture_chunks(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let body = bytes
        .strip_prefix(SIGNATURE)
        .ok_or(PhotoError::Unreadable)?;
    let mut out = SIGNATURE.to_vec();
    let mut at = 0;
    while at < body.len() {
        let header = body.get(at..at + 8).ok_or(PhotoError::Unreadable)?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let end = at
            .checked_add(12)
            .and_then(|n| n.checked_add(length))
            .filter(|&end| end <= body.len())
            .ok_or(PhotoError::Unreadable)?;
        let kind = &header[4..8];
        if matches!(kind, b"IHDR" | b"PLTE" | b"tRNS" | b"IDAT" | b"IEND") {
            out.extend_from_slice(&body[at..end]);
        }
        at = end;
        if kind == b"IEND" {
            break;
        }
    }
    Ok(out)
}

/// A decoder's refusal: over a limit is "too many pixels", anything else unreadable.
fn refused(error: image::ImageError, width: u32, height: u32) -> PhotoError {
    match error {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels { width, height },
        _ => PhotoError::Unreadable,
    }
}

/// The picture without transparency: a JPEG has none, and transparent pixels would
/// otherwise show whatever colour they happen to hold (often black).
fn on_white(picture: &DynamicImage) -> RgbImage {
    let rgba = picture.to_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, pixel) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u16::from(pixel[3]);
        for channel in 0..3 {
            let value = u16::from(pixel[channel]) * alpha + 255 * (255 - alpha);
            out[channel] = (value / 255) as u8;
        }
    }
    rgb
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG of `width`×`height` with a gradient.
    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        picture
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, 90,
            ))
            .expect("a JPEG");
        out
    }

    /// `jpeg` with an EXIF segment, as a phone writes it: an orientation and a GPS position
    /// (latitude 35°N, with a marker text in the GPS area to look for afterwards).
    fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
        // IFD0: Orientation (SHORT) and the GPS IFD's offset (LONG); no next IFD.
        let gps_at: u32 = 8 + 2 + 2 * 12 + 4;
        tiff.extend(2u16.to_le_bytes());
        tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0]);
        tiff.extend(orientation.to_le_bytes());
        tiff.extend([0, 0]);
        tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0]);
        tiff.extend(gps_at.to_le_bytes());
        tiff.extend(0u32.to_le_bytes());
        // GPS IFD: GPSLatitudeRef "N" and GPSAreaInformation pointing at a marker text.
        let marker = b"ASCII\0\0\0GPS-35.6812N-139.7671E";
        let text_at = gps_at + 2 + 2 * 12 + 4;
        tiff.extend(2u16.to_le_bytes());
        tiff.extend([0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        tiff.extend([0x1c, 0x00, 7, 0]);
        tiff.extend((marker.len() as u32).to_le_bytes());
        tiff.extend(text_at.to_le_bytes());
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(marker);
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend(tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xff, 0xe1]);
        out.extend(((segment.len() + 2) as u16).to_be_bytes());
        out.extend(segment);
        out.extend(&jpeg[2..]);
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_photo_with_a_gps_position_comes_out_without_it_and_at_most_512_pixels() {
        let upload = with_exif(&jpeg(1024, 768), 1);
        assert!(
            contains(&upload, b"GPS-35.6812N"),
            "the fixture carries a position"
        );
        let photo = process(&upload).expect("a valid photo");
        assert_eq!((photo.width, photo.height), (512, 384));
        assert!(!contains(&photo.jpeg, b"GPS-35.6812N"));
        assert!(!contains(&photo.jpeg, b"Exif"), "no EXIF segment at all");
        let decoded = image::load_from_memory(&photo.jpeg).expect("a JPEG again");
        assert_eq!((decoded.width(), decoded.height()), (512, 384));
    }

    #[test]
    fn a_photo_stored_on_its_side_is_turned_upright() {
        // Orientation 6: the camera was turned; the picture must be rotated 90° clockwise.
        let photo = process(&with_exif(&jpeg(200, 100), 6)).expect("a valid photo");
        assert_eq!((photo.width, photo.height), (100, 200));
    }

    #[test]
    fn a_small_photo_keeps_its_size() {
        let photo = process(&jpeg(300, 200)).expect("a valid photo");
        assert_eq!((photo.width, photo.height), (300, 200));
    }

    #[test]
    fn a_transparent_png_is_kept_on_white() {
        let picture = image::RgbaImage::from_pixel(10, 10, image::Rgba([0, 0, 0, 0]));
        let mut png = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .expect("a PNG");
        let photo = process(&png).expect("a valid photo");
        let decoded = image::load_from_memory(&photo.jpeg)
            .expect("a JPEG")
            .to_rgb8();
        assert!(
            decoded.pixels().all(|p| p.0.iter().all(|&c| c > 240)),
            "white, not black"
        );
    }

    #[test]
    fn what_is_not_a_real_image_is_refused() {
        // A text file renamed .jpg: the name is never read, the bytes are.
        assert_eq!(
            process(b"this is a text file, renamed photo.jpg\n"),
            Err(PhotoError::NotAnImage)
        );
        // A GIF is an image, but not one the form takes.
        assert_eq!(
            process(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            Err(PhotoError::NotAnImage)
        );
        // A JPEG cut short.
        let whole = jpeg(64, 64);
        assert_eq!(
            process(&whole[..whole.len() / 2]),
            Err(PhotoError::Unreadable)
        );
        // Too many bytes.
        let mut big = whole.clone();
        big.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(process(&big), Err(PhotoError::TooLarge));
    }

    #[test]
    fn a_small_file_claiming_a_huge_picture_is_refused_before_decoding() {
        // A PNG of a few dozen bytes whose header claims 100,000×100,000 pixels.
        fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
            let mut out = (data.len() as u32).to_be_bytes().to_vec();
            out.extend(kind);
            out.extend(data);
            // CRC-32 of the chunk type and data, as PNG requires.
            let mut crc = 0xffff_ffffu32;
            for &byte in &out[4..] {
                crc ^= u32::from(byte);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xedb8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            out.extend((!crc).to_be_bytes());
            out
        }
        let mut header = 100_000u32.to_be_bytes().to_vec();
        header.extend(100_000u32.to_be_bytes());
        header.extend([8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &header));
        png.extend(chunk(b"IDAT", b"\x78\x9c\x03\x00\x00\x00\x00\x01"));
        png.extend(chunk(b"IEND", b""));
        assert_eq!(
            process(&png),
            Err(PhotoError::TooManyPixels {
                width: 100_000,
                height: 100_000
            })
        );
    }
}
