"""Small but real files for upload and blind-copy tests: each carries its author in its metadata."""

import io
import zlib

from docx import Document

AUTHOR = "Trần Văn Bút"
AUTHOR_ASCII = "Tran Van But"


def docx(author: str = AUTHOR) -> bytes:
    document = Document()
    document.add_paragraph("Chi bộ luôn đi đầu trong mọi phong trào thi đua.")
    props = document.core_properties
    props.author = author
    props.last_modified_by = author
    props.title = f"Bài viết của {author}"
    props.comments = f"Gửi từ máy của {author}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _utf16_hex(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>' + AUTHOR_ASCII.encode() + b"</rdf:li>"
    b"</rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)


def pdf(*, author: str = AUTHOR, compressed_metadata: bool = False) -> bytes:
    """A one-page PDF with an information dictionary (literal and UTF-16 hex strings) and XMP."""
    metadata = zlib.compress(XMP) if compressed_metadata else XMP
    filter_ = b" /Filter /FlateDecode" if compressed_metadata else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Title (Bai viet \\(ban 2\\)) /Author " + _utf16_hex(author) + b" /Creator (" + AUTHOR_ASCII.encode()
        + b") /Producer (Microsoft Word) >>",
        b"<< /Type /Metadata /Subtype /XML" + filter_ + b" /Length " + str(len(metadata)).encode() + b" >>\nstream\n"
        + metadata + b"\nendstream",
    ]  # fmt: skip
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pikepdf_pdf(*, author: str = AUTHOR, encrypted: bool = False) -> bytes:
    """A PDF written by pikepdf: the author and the creator in the information dictionary and in
    the XMP packet (compressed, as word processors write it), a page with text, and a comment
    signed by the author."""
    import pikepdf

    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 770 Td (Bai viet du thi) Tj ET")
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Annots = pdf.make_indirect(
        pikepdf.Array([pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[72, 700, 92, 720],
                                          T=pikepdf.String(author), Contents=pikepdf.String("Sửa lại đoạn này"))])
    )  # fmt: skip
    pdf.docinfo["/Author"] = author
    pdf.docinfo["/Creator"] = f"Microsoft Word của {AUTHOR_ASCII}"
    pdf.docinfo["/Title"] = f"Bài viết của {author}"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = [AUTHOR_ASCII]
        meta["xmp:CreatorTool"] = f"Word ({AUTHOR_ASCII})"
        meta["pdf:Producer"] = AUTHOR_ASCII
    out = io.BytesIO()
    encryption = pikepdf.Encryption(owner="chu-so-huu", user="") if encrypted else False
    pdf.save(out, encryption=encryption, compress_streams=True)
    return out.getvalue()


def png(author: str = AUTHOR_ASCII) -> bytes:
    """A real PNG (Pillow) with the author in a text chunk and in EXIF."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", author)
    info.add_itxt("Description", f"Ảnh của {author}")
    exif = Image.Exif()
    exif[0x013B] = author  # Artist
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def jpeg(author: str = AUTHOR_ASCII, *, orientation: int = 1) -> bytes:
    """A real JPEG (Pillow) with the author in EXIF (Artist), XMP and a comment."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x013B] = author  # Artist
    exif[0x0112] = orientation
    xmp = XMP.replace(AUTHOR_ASCII.encode(), author.encode())
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 90, 200)).save(out, format="JPEG", exif=exif, comment=f"Anh cua {author}", xmp=xmp)
    return out.getvalue()
