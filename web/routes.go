package web

// routes is the whole route table.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics)
	e.GET("/api/v1/openapi.json", s.openapiSpec)
	e.GET("/api/v1/tsa/certs.pem", s.tsaCerts)
	e.GET("/api/v1/log/checkpoint", s.logCheckpoint)
	e.GET("/api/v1/log/checkpoints/:size", s.logCheckpointAt)
	e.GET("/api/v1/log/checkpoints/:size/timestamp.tsr", s.logCheckpointToken)
	e.GET("/api/v1/log/proof/inclusion", s.logInclusion)
	e.GET("/api/v1/log/proof/consistency", s.logConsistency)
	e.GET("/api/v1/log/key", s.logKey)
	e.GET("/static/style.css", s.staticStyle)
	e.GET("/static/sender.css", s.senderStyle)

	api := e.Group("/api/v1", s.requireAPIKey)
	api.POST("/notices", s.noticeCreate)
	api.GET("/notices/:id", s.noticeGet)
	api.GET("/notices/:id/manifest.json", s.noticeManifest)
	api.GET("/notices/:id/timestamp.tsr", s.noticeTimestamp)
	api.GET("/notices", s.noticeList)
	api.GET("/notices/:id/events", s.noticeEvents)
	api.GET("/notices/:id/evidence.zip", s.noticeBundle)
	api.GET("/notices/:id/certificates/:file", s.noticeCertificate)
	api.POST("/consents", s.consentRequest)
	api.GET("/senders/me/rates", s.senderRates)
	api.POST("/senders/:id/lift-suspension", s.senderLift)
	api.GET("/events", s.eventsStream)
	api.POST("/webhooks", s.webhookCreate)
	api.GET("/webhooks", s.webhookList)
	api.DELETE("/webhooks/:id", s.webhookDelete)
	api.GET("/webhooks/:id/deliveries", s.webhookDeliveries)
	api.POST("/webhooks/:id/deliveries/:delivery/replay", s.webhookReplay)
	api.GET("/admin/backup", s.adminBackup)
	api.POST("/keys", s.keyCreate)
	api.GET("/keys", s.keyList)
	api.DELETE("/keys/:id", s.keyRevoke)
	api.POST("/users", s.userCreate)
	api.GET("/users", s.userList)

	// Pages: per-IP rate limits, bounded form bodies and CSRF tokens on
	// every route of the group, and HTML error pages (see handleAnyError).
	p := e.Group("", s.pageGuards()...)
	p.GET("/r/:token", s.recipientOpen)
	p.POST("/r/:token/code", s.recipientCode)
	p.GET("/r/:token/identify", s.recipientIdentify)
	p.POST("/r/:token/verify", s.recipientVerify)
	p.GET("/r/:token/choice", s.recipientChoice)
	p.POST("/r/:token/decide", s.recipientDecide)
	p.GET("/r/:token/letter", s.recipientLetter)
	p.GET("/r/:token/documents/:key", s.recipientDocument)
	p.GET("/verify", s.verifyForm)
	p.POST("/verify", s.verifyCheck)
	p.GET("/consent/:token", s.consentPage)
	p.POST("/consent/:token", s.consentSet)
	if s.cfg.DevMailbox != nil {
		p.GET("/dev/mailbox", s.devMailboxList)
		p.GET("/dev/mailbox/:name", s.devMailboxRead)
		p.GET("/dev/mailbox/:name/raw", s.devMailboxRaw)
	}

	// Accounts and the sender's pages: a session cookie instead of an API
	// key, then the same handlers. The compose form is multipart, so its
	// CSRF check runs while it streams (sender_intake.go), outside p.
	ui := newSenderUI(s)
	p.GET("/login", s.loginForm)
	p.POST("/login", s.loginSubmit)
	p.POST("/logout", s.logout)
	p.GET("/account/password/:token", s.passwordForm)
	p.POST("/account/password/:token", s.passwordSet)
	app := p.Group("/app", s.requireSession)
	app.GET("/letters", ui.letters)
	app.GET("/letters/new", ui.compose)
	app.POST("/letters", ui.send)
	app.GET("/letters/:id", ui.letter)
	app.GET("/letters/:id/manifest.json", s.noticeManifest)
	app.GET("/letters/:id/timestamp.tsr", s.noticeTimestamp)
	app.GET("/letters/:id/certificates/:file", s.noticeCertificate)
	e.POST("/app/letters/preview", ui.preview, s.pageRateLimit(), s.requireSession)
}
