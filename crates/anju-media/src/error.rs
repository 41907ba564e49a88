//! Errors of anju-media: each says what is wrong and where, in Chinese and English.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("照片文件为空 / the photo file is empty")]
    EmptyInput,

    #[error(
        "照片文件过大：{bytes} 字节，上限 {limit} 字节 / the photo file is too large: {bytes} bytes, the limit is {limit}"
    )]
    InputTooLarge { bytes: usize, limit: usize },

    #[error(
        "照片像素过多：{width}×{height}，上限 {limit} 像素（文件头所示，未解码） / the photo has too many pixels: {width}×{height} by its header, the limit is {limit}"
    )]
    TooManyPixels { width: u32, height: u32, limit: u64 },

    #[error(
        "不支持 {format} 格式的照片：可用 JPEG、PNG 或 WebP，请把相机设置为拍摄 JPEG（“兼容性最佳”） / {format} photos are not supported: use JPEG, PNG or WebP, and set the camera to JPEG (\"most compatible\")"
    )]
    UnsupportedFormat { format: &'static str },

    #[error("{format} 图片无法解码：{detail} / the {format} image cannot be decoded: {detail_en}")]
    UndecodableImage {
        format: &'static str,
        detail: String,
        detail_en: String,
    },

    #[error(
        "文件不是 JPEG 照片（开头为 {head}） / the file is not a JPEG photo (it starts with {head})"
    )]
    NotJpeg { head: String },

    #[error("不支持此种 JPEG：{what} / this kind of JPEG is not supported: {what_en}")]
    UnsupportedJpeg { what: String, what_en: String },

    #[error(
        "照片文件不完整，在第 {offset} 字节处中断（{context}） / the photo file is truncated at byte {offset} ({context_en})"
    )]
    Truncated {
        offset: usize,
        context: String,
        context_en: String,
    },

    #[error(
        "JPEG 结构损坏，第 {offset} 字节：{detail} / the JPEG structure is corrupt at byte {offset}: {detail_en}"
    )]
    CorruptJpeg {
        offset: usize,
        detail: String,
        detail_en: String,
    },

    #[error(
        "JPEG 文件头无效（量化表、霍夫曼表或扫描参数有误） / the JPEG headers are invalid (quantisation or Huffman tables, or scan parameters)"
    )]
    BadHeaders,

    #[error(
        "JPEG 压缩数据损坏，解码在第 {row}/{rows} 行停止 / the JPEG's compressed data is corrupt: decoding stopped at row {row} of {rows}"
    )]
    CorruptImageData { row: usize, rows: usize },

    #[error("JPEG 编码失败：{0} / encoding the JPEG failed: {0}")]
    Encode(String),

    #[error("图像缩放失败：{0} / resizing the image failed: {0}")]
    Resize(String),

    #[error("参数 {field} 无效：{detail} / option {field} is invalid: {detail_en}")]
    InvalidOption {
        field: &'static str,
        detail: String,
        detail_en: String,
    },

    #[error("无法读取字体 {path}：{detail} / the font {path} cannot be read: {detail}", path = .path.display())]
    Font { path: PathBuf, detail: String },

    #[error(
        "找不到含中文字形的字体：本机没有已知的中文字体，且未内置字体 / no font with Chinese glyphs: none of the known device fonts exists and no font is bundled"
    )]
    NoFont,

    #[error("签名无效：{detail} / the signature is invalid: {detail_en}")]
    InvalidSignature { detail: String, detail_en: String },

    #[error("签名图像生成失败：{0} / rendering the signature image failed: {0}")]
    SignatureRender(String),

    #[error(transparent)]
    Hash(#[from] anju_core::hash::HashError),
}

impl MediaError {
    pub(crate) fn invalid_option(
        field: &'static str,
        detail: impl Into<String>,
        detail_en: impl Into<String>,
    ) -> Self {
        Self::InvalidOption {
            field,
            detail: detail.into(),
            detail_en: detail_en.into(),
        }
    }

    pub(crate) fn corrupt(
        offset: usize,
        detail: impl Into<String>,
        detail_en: impl Into<String>,
    ) -> Self {
        Self::CorruptJpeg {
            offset,
            detail: detail.into(),
            detail_en: detail_en.into(),
        }
    }

    pub(crate) fn unsupported_jpeg(what: impl Into<String>, what_en: impl Into<String>) -> Self {
        Self::UnsupportedJpeg {
            what: what.into(),
            what_en: what_en.into(),
        }
    }

    pub(crate) fn invalid_signature(
        detail: impl Into<String>,
        detail_en: impl Into<String>,
    ) -> Self {
        Self::InvalidSignature {
            detail: detail.into(),
            detail_en: detail_en.into(),
        }
    }
}
