package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// batchCreate is POST /api/v1/batches: a recipients CSV and the letter
// they all receive. 201 once every row has its letter; 422 listing every
// bad row, with nothing sent.
func (s *Server) batchCreate(c echo.Context) error {
	release, err := s.takeIntake(c)
	if err != nil {
		return err
	}
	defer release()
	req, _, err := s.readBatch(c, false)
	if err != nil {
		return err
	}
	req.Sender, req.IdempotencyKey = userOf(c), c.Request().Header.Get("Idempotency-Key")
	st, replayed, err := s.svc.Batches.Send(c.Request().Context(), req)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set("Location", "/api/v1/batches/"+st.Batch.ID)
	return c.JSON(http.StatusCreated, batchView(st))
}

// batchJSON is a batch as the API shows it.
type batchJSON struct {
	ID        string              `json:"id"`
	Subject   string              `json:"subject"`
	CreatedAt string              `json:"created_at"`
	Total     int                 `json:"total"`
	Sent      int                 `json:"sent"`
	Counts    map[core.Status]int `json:"counts"`
	Letters   []batches.Letter    `json:"letters"`
}

func batchView(st batches.Status) batchJSON {
	return batchJSON{
		ID: st.Batch.ID, Subject: st.Batch.Subject, CreatedAt: st.Batch.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Total: len(st.Letters), Sent: st.Sent(), Counts: st.Counts, Letters: st.Letters,
	}
}
