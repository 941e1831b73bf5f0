package certs

// WithoutQRCache makes the renderer encode every QR code, for the naive
// benchmark.
func WithoutQRCache() Option { return func(r *Renderer) { r.qr = nil } }
