package web

// routes is the whole route table.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/api/v1/tsa/certs.pem", s.tsaCerts)

	api := e.Group("/api/v1", s.requireAPIKey)
	api.POST("/notices", s.noticeCreate)
	api.GET("/notices/:id", s.noticeGet)
	api.GET("/notices/:id/manifest.json", s.noticeManifest)
	api.GET("/notices/:id/timestamp.tsr", s.noticeTimestamp)
	api.GET("/notices/:id/events", s.noticeEvents)
	api.GET("/notices/:id/certificates/:file", s.noticeCertificate)
}
