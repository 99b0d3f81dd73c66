//! A small request must never cost much memory or time: hostile photos are refused or
//! handled within 64 MiB of memory beyond what the test holds and 2 seconds each, measured
//! here by counting every allocation (one test in its own binary, so nothing else
//! allocates meanwhile).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use functions::photo::{PhotoError, process};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        pointer
    }
    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }
    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, size) };
        if !moved.is_null() {
            if size > layout.size() {
                let now = CURRENT.fetch_add(size - layout.size(), Ordering::SeqCst)
                    + (size - layout.size());
                PEAK.fetch_max(now, Ordering::SeqCst);
            } else {
                CURRENT.fetch_sub(layout.size() - size, Ordering::SeqCst);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MEMORY: usize = 64 * 1024 * 1024;
const TIME: Duration = Duration::from_secs(2);

/// Runs `process` on `bytes`: its result, the most memory it held beyond what was held
/// before, and how long it took.
fn measured(bytes: &[u8]) -> (Result<(u32, u32), PhotoError>, usize, Duration) {
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let started = Instant::now();
    let result = process(bytes).map(|photo| (photo.width, photo.height));
    let took = started.elapsed();
    (result, PEAK.load(Ordering::SeqCst) - before, took)
}

/// A PNG of `width`×`height` pixels of one grey, streamed row by row (so that making it
/// holds one row, not the picture), at `depth` bits a pixel.
fn flat_png(width: u32, height: u32, depth: png::BitDepth, colour: png::ColorType) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_depth(depth);
    encoder.set_color(colour);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let samples = match colour {
        png::ColorType::Rgb => 3,
        _ => 1,
    };
    let bits = width as usize * samples * depth as usize;
    let row = vec![0u8; bits.div_ceil(8)];
    {
        let mut stream = writer.stream_writer().unwrap();
        for _ in 0..height {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
    }
    writer.finish().unwrap();
    out
}

/// An 8×8 baseline JPEG whose frame header is rewritten to claim a progressive picture of
/// `width`×`height` (SOF0 -> SOF2): what a decoder would have to hold is the claim's size.
fn progressive_claim(width: u16, height: u16) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 100, 50]));
    let mut jpeg = Vec::new();
    picture
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut jpeg, 90,
        ))
        .unwrap();
    let at = jpeg
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("a baseline frame header");
    jpeg[at + 1] = 0xc2;
    // Marker, length (2), precision (1), then height and width.
    jpeg[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// A valid 64×64 PNG with a colour profile (`iCCP`) of `inflated` zero bytes, compressed:
/// a few hundred KB that a decoder reading the profile would inflate to all of it.
fn png_with_profile_bomb(inflated: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..inflated / zeros.len() {
        zlib.write_all(&zeros).unwrap();
    }
    let mut profile = b"icc\0\0".to_vec();
    profile.extend(zlib.finish().unwrap());
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 64, 64);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_chunk(png::chunk::iCCP, &profile).unwrap();
    writer.write_image_data(&vec![90u8; 64 * 64 * 3]).unwrap();
    writer.finish().unwrap();
    out
}

#[test]
fn hostile_photos_cost_little_memory_and_time() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "a 1-bit PNG of 50,000,000×1",
            flat_png(50_000_000, 1, png::BitDepth::One, png::ColorType::Grayscale),
        ),
        (
            "a flat PNG of 7,000×7,000",
            flat_png(7000, 7000, png::BitDepth::Eight, png::ColorType::Grayscale),
        ),
        (
            "a progressive JPEG of 8,000×5,000",
            progressive_claim(8000, 5000),
        ),
        (
            "a zlib bomb: 5,000×5,000 of black RGB (75 MB decoded)",
            flat_png(5000, 5000, png::BitDepth::Eight, png::ColorType::Rgb),
        ),
        (
            "a zlib bomb within the budget: 4,000×4,000 of black RGB",
            flat_png(4000, 4000, png::BitDepth::Eight, png::ColorType::Rgb),
        ),
        (
            "a PNG whose colour profile inflates to 1 GB",
            png_with_profile_bomb(1 << 30),
        ),
        (
            "a 16-bit PNG of 3,000×3,000 (54 MB decoded)",
            flat_png(3000, 3000, png::BitDepth::Sixteen, png::ColorType::Rgb),
        ),
    ];
    let mut report = String::new();
    for (what, bytes) in &cases {
        assert!(
            bytes.len() < functions::photo::MAX_UPLOAD_BYTES,
            "{what} is a small file"
        );
        let (result, memory, took) = measured(bytes);
        report.push_str(&format!(
            "{what}: {} bytes sent, {result:?}, {:.1} MiB, {} ms\n",
            bytes.len(),
            memory as f64 / 1024.0 / 1024.0,
            took.as_millis()
        ));
        assert!(memory <= MEMORY, "{what} held {memory} bytes\n{report}");
        assert!(took <= TIME, "{what} took {took:?}\n{report}");
        match *what {
            w if w.contains("within the budget") => {
                assert_eq!(result, Ok((512, 512)), "{report}")
            }
            // A small picture: taken, its profile never read.
            w if w.contains("colour profile") => assert_eq!(result, Ok((64, 64)), "{report}"),
            _ => assert!(
                matches!(result, Err(PhotoError::TooManyPixels { .. })),
                "{what}: {result:?}\n{report}"
            ),
        }
    }
    println!("{report}");
}
