package evidence

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lre-project/lre/core"
)

// BundleIndex is bundle.json: what the bundle holds and where.
type BundleIndex struct {
	Version        int              `json:"version"`
	NoticeID       string           `json:"notice_id"`
	Provider       string           `json:"provider"`
	Qualified      bool             `json:"qualified"`
	Documents      []BundleDocument `json:"documents"`
	Certificates   []string         `json:"certificates"`
	CheckpointSize uint64           `json:"checkpoint_size"`
}

// BundleDocument is one part of the letter: ManifestIndex 0 is the body,
// i > 0 the manifest's documents[i-1]. Path is empty once the content was
// purged (retention over): its digest stays in the manifest.
type BundleDocument struct {
	ManifestIndex int    `json:"manifest_index"`
	Name          string `json:"name"`
	MediaType     string `json:"media_type"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
	Path          string `json:"path,omitempty"`
}

// EvidenceFile is events.json: every event of the letter, with the ETSI EN
// 319 522-2 component names where one exists, and the log record that lets
// an auditor recompute the event's hash.
type EvidenceFile struct {
	Version           int        `json:"Version"`
	MessageIdentifier string     `json:"MessageIdentifier"`
	AttestedEvidence  string     `json:"AttestedEvidence,omitempty"` // in a certificate: the event it attests
	ChainRule         string     `json:"ChainRule"`
	Evidences         []Evidence `json:"Evidences"`
}

// Evidence is one event as ETSI EN 319 522 names its parts.
type Evidence struct {
	EvidenceIdentifier string            `json:"EvidenceIdentifier"`
	EventURI           string            `json:"EventURI"`
	EventTime          string            `json:"EventTime"`
	EventReasons       []EventReason     `json:"EventReasons,omitempty"`
	SubmissionTime     string            `json:"SubmissionTime"`
	MessageIdentifier  string            `json:"MessageIdentifier"`
	IssuerDetails      IssuerDetails     `json:"IssuerDetails"`
	SenderDetails      PartyDetails      `json:"SenderDetails"`
	RecipientDetails   PartyDetails      `json:"RecipientDetails"`
	SubmittedContent   []ContentPart     `json:"SubmittedContent"`
	Details            map[string]string `json:"Details,omitempty"`
	LogRecord          LogRecord         `json:"LogRecord"`
}

// EventReason is the code and text of a negative event.
type EventReason struct {
	Code    string `json:"Code"`
	Details string `json:"Details,omitempty"`
}

// IssuerDetails names the provider that issued the evidence.
type IssuerDetails struct {
	Name      string `json:"Name"`
	Address   string `json:"Address,omitempty"`
	Qualified bool   `json:"Qualified"`
}

// PartyDetails identifies a sender or recipient and how strongly.
type PartyDetails struct {
	Name                 string `json:"Name"`
	Identifier           string `json:"Identifier"`
	IdentifierScheme     string `json:"IdentifierScheme"`
	Organisation         string `json:"Organisation,omitempty"`
	AssuranceLevel       string `json:"AssuranceLevel,omitempty"`
	AuthenticationMethod string `json:"AuthenticationMethod,omitempty"`
}

// ContentPart is a digest of submitted content: the manifest (the deposit
// digest), then the body and each document.
type ContentPart struct {
	Identifier   string `json:"Identifier"`
	ContentType  string `json:"ContentType"`
	DigestMethod string `json:"DigestMethod"`
	DigestValue  string `json:"DigestValue"` // base64, as XML-DSig writes it
}

// LogRecord is the event's place in the hash-chained log: Hash is
// ChainHash(Seq, PrevHash, CanonicalEvent), hashes in hex.
type LogRecord struct {
	Seq            uint64 `json:"Seq"`
	PrevHash       string `json:"PrevHash"`
	Hash           string `json:"Hash"`
	CanonicalEvent string `json:"CanonicalEvent"`
}

// ProofsFile is proofs.json: the Merkle proofs tying each event to the
// bundle's checkpoint. Hashes are hex.
type ProofsFile struct {
	LeafHashRule   string             `json:"leaf_hash_rule"`
	CheckpointSize uint64             `json:"checkpoint_size"`
	Inclusion      []BundleInclusion  `json:"inclusion"`
	Consistency    *BundleConsistency `json:"consistency,omitempty"`
}

// BundleInclusion proves that the record Seq is leaf LeafIndex (Seq-1).
type BundleInclusion struct {
	Seq       uint64   `json:"seq"`
	LeafIndex uint64   `json:"leaf_index"`
	LeafHash  string   `json:"leaf_hash"`
	Hashes    []string `json:"hashes"`
}

// BundleConsistency proves the tree of From records is a prefix of To's.
type BundleConsistency struct {
	From   uint64   `json:"from"`
	To     uint64   `json:"to"`
	Hashes []string `json:"hashes"`
}

// Rules an auditor needs to recompute hashes, as written in the bundle.
const (
	ChainRule    = `Hash = SHA-256("lre-event-v1" || 0x00 || Seq as 8 bytes big-endian || PrevHash || CanonicalEvent)`
	LeafHashRule = `leaf_hash = SHA-256(0x00 || Hash) (RFC 6962 leaf of the record's 32-byte hash); leaf_index = seq - 1`
	DigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
)

func bundleIndex(p bundleParts, prov core.Provider) ([]byte, error) {
	ix := BundleIndex{
		Version: BundleVersion, NoticeID: p.notice.ID, Provider: prov.Name, Qualified: prov.Qualified,
		Documents: p.docs, Certificates: []string{}, CheckpointSize: p.checkpoint.Size,
	}
	for _, k := range p.certs {
		ix.Certificates = append(ix.Certificates, string(k))
	}
	return marshalIndent(ix)
}

func evidenceJSON(p bundleParts, prov core.Provider) ([]byte, error) {
	return EvidenceJSON(p.notice, p.events, prov, 0)
}

// EvidenceJSON is events.json, written alike into evidence bundles and
// certificate PDFs so that one reader (audit) checks both. attested,
// when not 0, is the sequence number of the event a certificate attests.
func EvidenceJSON(n core.Notice, events []core.Event, prov core.Provider, attested uint64) ([]byte, error) {
	f := EvidenceFile{Version: 1, MessageIdentifier: n.ID, ChainRule: ChainRule}
	if attested != 0 {
		f.AttestedEvidence = EvidenceID(n.ID, attested)
	}
	content := submittedContent(n)
	for _, e := range events {
		canon, err := core.EventBytes(e)
		if err != nil {
			return nil, err
		}
		method, assurance := n.Recipient.Method, n.Recipient.Assurance
		if m := e.Details["identification_method"]; m != "" {
			method, assurance = m, e.Details["assurance_level"]
		}
		ev := Evidence{
			EvidenceIdentifier: EvidenceID(n.ID, e.Seq),
			EventURI:           e.Type.URI(),
			EventTime:          e.Time.UTC().Format(time.RFC3339Nano),
			SubmissionTime:     n.SubmittedAt.UTC().Format(time.RFC3339Nano),
			MessageIdentifier:  n.ID,
			IssuerDetails:      IssuerDetails{prov.Name, prov.Address, prov.Qualified},
			SenderDetails:      partyDetails(n.Sender, n.Sender.Method, n.Sender.Assurance),
			RecipientDetails:   partyDetails(n.Recipient, method, assurance),
			SubmittedContent:   content,
			Details:            e.Details,
			LogRecord:          LogRecord{e.Seq, hex.EncodeToString(e.PrevHash), hex.EncodeToString(e.Hash), string(canon)},
		}
		if code := e.Details["reason"]; code != "" {
			ev.EventReasons = []EventReason{{Code: code, Details: e.Details["reason_text"]}}
		}
		f.Evidences = append(f.Evidences, ev)
	}
	return marshalIndent(f)
}

func partyDetails(p core.Party, method, assurance string) PartyDetails {
	return PartyDetails{Name: p.Name, Identifier: p.Email, IdentifierScheme: "mailto", Organisation: p.Organisation, AssuranceLevel: assurance, AuthenticationMethod: method}
}

func submittedContent(n core.Notice) []ContentPart {
	out := []ContentPart{{Identifier: BundleManifest, ContentType: "application/json", DigestMethod: DigestSHA256, DigestValue: hexToBase64(n.Digest)}}
	for _, d := range append([]core.Document{n.Body}, n.Documents...) {
		out = append(out, ContentPart{Identifier: d.Name, ContentType: d.MediaType, DigestMethod: DigestSHA256, DigestValue: hexToBase64(d.SHA256)})
	}
	return out
}

func hexToBase64(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

func proofsJSON(p bundleParts) ([]byte, error) {
	f := ProofsFile{LeafHashRule: LeafHashRule, CheckpointSize: p.checkpoint.Size}
	for i, ip := range p.inclusion {
		f.Inclusion = append(f.Inclusion, BundleInclusion{Seq: p.events[i].Seq, LeafIndex: ip.Index, LeafHash: hex.EncodeToString(ip.LeafHash), Hashes: HexList(ip.Hashes)})
	}
	if c := p.consist; c != nil {
		f.Consistency = &BundleConsistency{From: c.From, To: c.To, Hashes: HexList(c.Hashes)}
	}
	return marshalIndent(f)
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return append(b, '\n'), nil
}
