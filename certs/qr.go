package certs

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// drawQR draws a QR code of url with its top-left corner at (x, y) and the
// given side, in mm. See qrPath.
func drawQR(pdf *fpdf.Fpdf, cache *qrCache, url string, x, y, side float64) error {
	k := pdf.GetConversionRatio() // points per mm
	_, pageH := pdf.GetPageSize()
	path, err := cache.path(url, x*k, (pageH-y)*k, side*k)
	if err != nil {
		return err
	}
	pdf.RawWriteStr(path)
	return nil
}

// qrPath returns the content-stream operators that draw url's QR code
// (without quiet zone: the caller leaves one) at (x, top), in points, as
// vector rectangles: crisp at any zoom, no image to encode or decode, one
// rectangle per run of dark modules in a row. All rectangles form a single
// path filled once, so that viewers draw no hairlines between modules.
func qrPath(url string, x, top, side float64) (string, error) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	q.DisableBorder = true
	bits := q.Bitmap()
	m := side / float64(len(bits))
	b := make([]byte, 0, 8192)
	b = append(b, "q 0 g\n"...)
	for row, line := range bits {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			run := col
			for run < len(line) && line[run] {
				run++
			}
			for _, v := range [4]float64{x + float64(col)*m, top - float64(row+1)*m, float64(run-col) * m, m} {
				b = strconv.AppendFloat(b, v, 'f', 3, 64)
				b = append(b, ' ')
			}
			b = append(b, "re\n"...)
			col = run
		}
	}
	return string(append(b, "f Q"...)), nil
}

// qrCacheSize bounds the cache: a letter's five certificates share one
// verification URL, and an entry takes about 8 KB.
const qrCacheSize = 256

// qrCache keeps the drawing operators of recent QR codes. Encoding one
// (choosing among eight masks by penalty score) costs about as much as
// laying out a whole certificate. A nil cache draws every time.
type qrCache struct {
	mu    sync.Mutex
	max   int
	paths map[qrKey]string
	order []qrKey // insertion order, oldest first
}

type qrKey struct {
	url          string
	x, top, side float64
}

func newQRCache(limit int) *qrCache {
	return &qrCache{max: limit, paths: make(map[qrKey]string, limit)}
}

func (c *qrCache) path(url string, x, top, side float64) (string, error) {
	if c == nil {
		return qrPath(url, x, top, side)
	}
	key := qrKey{url, x, top, side}
	c.mu.Lock()
	p, ok := c.paths[key]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := qrPath(url, x, top, side)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.paths[key]; !ok {
		if len(c.order) >= c.max {
			delete(c.paths, c.order[0])
			c.order = c.order[1:]
		}
		c.paths[key] = p
		c.order = append(c.order, key)
	}
	return p, nil
}
