package web

import (
	"encoding/hex"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core/evidence"
)

type inclusionJSON struct {
	Seq       uint64   `json:"seq"`
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	LeafHash  string   `json:"leaf_hash"`
	Hashes    []string `json:"hashes"`
}

type consistencyJSON struct {
	From   uint64   `json:"from"`
	To     uint64   `json:"to"`
	Hashes []string `json:"hashes"`
}

// logInclusion is GET /api/v1/log/proof/inclusion?seq=N&size=S: the audit
// path of record N (leaf N-1) in the tree of S records; S defaults to the
// latest checkpoint's size.
func (s *Server) logInclusion(c echo.Context) error {
	seq, err := uintParam(c.QueryParam("seq"), "seq", true)
	if err != nil {
		return err
	}
	size, err := s.sizeOrLatest(c, "size")
	if err != nil {
		return err
	}
	p, err := s.svc.Evidence.LogInclusionProof(c.Request().Context(), seq, size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, inclusionJSON{Seq: seq, LeafIndex: p.Index, TreeSize: p.Size, LeafHash: hex.EncodeToString(p.LeafHash), Hashes: evidence.HexList(p.Hashes)})
}

// logConsistency is GET /api/v1/log/proof/consistency?from=A&to=B; B
// defaults to the latest checkpoint's size.
func (s *Server) logConsistency(c echo.Context) error {
	from, err := uintParam(c.QueryParam("from"), "from", true)
	if err != nil {
		return err
	}
	to, err := s.sizeOrLatest(c, "to")
	if err != nil {
		return err
	}
	p, err := s.svc.Evidence.LogConsistencyProof(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, consistencyJSON{From: p.From, To: p.To, Hashes: evidence.HexList(p.Hashes)})
}

func (s *Server) sizeOrLatest(c echo.Context, field string) (uint64, error) {
	if v := c.QueryParam(field); v != "" {
		return uintParam(v, field, true)
	}
	cp, err := s.svc.Evidence.LatestCheckpoint(c.Request().Context())
	if err != nil {
		return 0, err
	}
	return cp.Size, nil
}
