package vnc

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strconv"
)

// MIME types libvirt reports for screenshots.
const (
	MimePNG = "image/png"
	mimePPM = "image/x-portable-pixmap"
)

// ToPNG converts a screenshot to PNG: PNG passes through, binary PPM (P6) is
// decoded and re-encoded.
func ToPNG(mime string, data []byte) ([]byte, error) {
	switch mime {
	case MimePNG:
		return data, nil
	case mimePPM, "":
	default:
		return nil, fmt.Errorf("screenshot in unsupported format %q", mime)
	}
	img, err := decodePPM(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return out.Bytes(), nil
}

// decodePPM reads a binary PPM: "P6", width, height and maximum value
// separated by whitespace (with # comments), one whitespace byte, then RGB
// samples of one byte (maximum < 256) or two, big-endian.
func decodePPM(r io.Reader) (image.Image, error) {
	br := bufio.NewReader(r)
	var header [4]int
	magic, err := ppmToken(br)
	if err != nil {
		return nil, fmt.Errorf("ppm header: %w", err)
	}
	if magic != "P6" {
		return nil, fmt.Errorf("not a binary PPM (magic %q)", magic)
	}
	for i := 1; i < 4; i++ {
		tok, err := ppmToken(br)
		if err != nil {
			return nil, fmt.Errorf("ppm header: %w", err)
		}
		if header[i], err = strconv.Atoi(tok); err != nil || header[i] <= 0 {
			return nil, fmt.Errorf("ppm header: bad number %q", tok)
		}
	}
	w, h, maxVal := header[1], header[2], header[3]
	if maxVal > 65535 || w > 1<<14 || h > 1<<14 {
		return nil, fmt.Errorf("ppm header: %dx%d max %d out of range", w, h, maxVal)
	}
	sample := 1
	if maxVal > 255 {
		sample = 2
	}
	raw := make([]byte, w*h*3*sample)
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, fmt.Errorf("ppm pixels: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	scale := func(off int) uint8 {
		v := int(raw[off])
		if sample == 2 {
			v = v<<8 | int(raw[off+1])
		}
		return uint8(v * 255 / maxVal)
	}
	for i := 0; i < w*h; i++ {
		o := i * 3 * sample
		img.Set(i%w, i/w, color.RGBA{R: scale(o), G: scale(o + sample), B: scale(o + 2*sample), A: 255})
	}
	return img, nil
}

// ppmToken reads the next header token and the single whitespace byte after it.
func ppmToken(br *bufio.Reader) (string, error) {
	var tok []byte
	for {
		b, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		switch {
		case b == '#' && len(tok) == 0:
			if _, err := br.ReadString('\n'); err != nil {
				return "", err
			}
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
			if len(tok) > 0 {
				return string(tok), nil
			}
		default:
			tok = append(tok, b)
		}
	}
}
