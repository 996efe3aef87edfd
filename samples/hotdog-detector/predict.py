"""Image in, image out, with the standard library only: the 'detector' draws a frame around the picture
when its mean red is above a threshold. A real model would load weights in setup()."""
import struct
import zlib

import cog


def read_png(path):
    data = open(str(path), "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("expected a PNG image")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour != 2:
                raise ValueError("expected an 8-bit RGB PNG")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - 3] if x >= 3 else 0
            up, corner = previous[x], previous[x - 3] if x >= 3 else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(line)
        previous = line
    return width, height, rows


def write_png(path, width, height, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    with open(str(path), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw)))
        f.write(chunk(b"IEND", b""))


class HotdogDetector(cog.Model):
    def setup(self):
        self.frame = (255, 215, 0)

    @cog.input("image", type=cog.Path, help="An 8-bit RGB PNG")
    @cog.input("threshold", type=float, default=0.5, min=0.0, max=1.0, help="How red a hot dog is")
    def predict(self, image, threshold):
        width, height, rows = read_png(image)
        red = sum(row[x] for row in rows for x in range(0, width * 3, 3)) / (255.0 * width * height)
        if red >= threshold:
            for y in range(height):
                for x in range(width):
                    if x < 2 or y < 2 or x >= width - 2 or y >= height - 2:
                        rows[y][x * 3:x * 3 + 3] = bytearray(self.frame)
        out = cog.Path("/tmp/verdict.png")
        write_png(out, width, height, rows)
        return out
