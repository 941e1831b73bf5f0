package batches

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lre-project/lre/core"
)

// WriteProofs writes to w a zip of every certificate issued so far for the
// batch's letters (LETTER-ID/<kind>.pdf, rendered on first request like a
// single letter's) and letters.csv, which maps each CSV line to its letter
// and status. Entries carry the batch's creation time, so the same state
// gives the same bytes. Errors: those of Status; a certificate's error
// other than ENOTFOUND (the proof's event has not happened yet).
func (s *Service) WriteProofs(ctx context.Context, viewer core.User, id string, w io.Writer) error {
	st, err := s.Status(ctx, viewer, id)
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	if err := s.writeIndex(z, st); err != nil {
		return err
	}
	for _, l := range st.Letters {
		if l.NoticeID == "" {
			continue
		}
		if err := s.writeLetterProofs(ctx, z, viewer, st.Batch, l.NoticeID); err != nil {
			return err
		}
	}
	return z.Close()
}

func (s *Service) writeLetterProofs(ctx context.Context, z *zip.Writer, viewer core.User, b Batch, noticeID string) error {
	for _, kind := range core.CertificateKinds {
		pdf, err := s.proofs.CertificatePDF(ctx, viewer, noticeID, kind)
		if core.ErrorCode(err) == core.ENOTFOUND {
			continue
		}
		if err != nil {
			return fmt.Errorf("batch proofs: %s %s: %w", noticeID, kind, err)
		}
		if err := writeEntry(z, b, noticeID+"/"+string(kind)+".pdf", pdf); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) writeIndex(z *zip.Writer, st Status) error {
	f, err := z.CreateHeader(&zip.FileHeader{Name: "letters.csv", Method: zip.Deflate, Modified: st.Batch.CreatedAt})
	if err != nil {
		return fmt.Errorf("batch proofs: %w", err)
	}
	cw := csv.NewWriter(f)
	_ = cw.Write([]string{"line", "email", "name", "reference", "letter_id", "status"})
	for _, l := range st.Letters {
		_ = cw.Write([]string{strconv.Itoa(l.Line), cell(l.Email), cell(l.Name), cell(l.Reference), l.NoticeID, string(l.Status)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("batch proofs: %w", err)
	}
	return nil
}

func writeEntry(z *zip.Writer, b Batch, name string, data []byte) error {
	f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: b.CreatedAt})
	if err != nil {
		return fmt.Errorf("batch proofs: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("batch proofs: %w", err)
	}
	return nil
}

// cell keeps a spreadsheet from running a sender-supplied value as a
// formula (CSV injection): such a value is prefixed with an apostrophe.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
