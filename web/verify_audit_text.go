package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/lre-project/lre/audit"
)

// auditNamesFR names in French what each check of a verification report
// looked at; names not listed are file names, shown as they are.
var auditNamesFR = map[string]string{
	"bundle": "dossier", "certificate": "certificat", "input": "fichier", "document": "document", "documents": "documents",
	"manifest": "manifeste", "deposit token": "jeton du dépôt", "deposit event": "événement de dépôt", "events": "événements",
	"checkpoint": "point de contrôle", "checkpoint token": "jeton du point de contrôle", "earlier checkpoint": "point de contrôle précédent",
	"consistency": "cohérence", "inclusion proofs": "preuves d’inclusion", "ETSI evidence": "preuves ETSI", "seal": "cachet",
}

// auditTextFR writes in French the sentences of a verification report,
// keyed by the format audit wrote them from (audit.Check.Format). A
// sentence that quotes a Go error (%v) keeps its English, marked
// lang="en"; the bare %s of the checkpoint's tokens is written from its
// argument (auditArgFR).
var auditTextFR = map[string]string{
	"the earlier checkpoint is the same tree (%d records)":                                                       "le point de contrôle précédent est le même arbre (%d enregistrements)",
	"the tree of %d records extends the tree of %d: nothing was rewritten in between":                            "l’arbre de %d enregistrements prolonge celui de %d : rien n’a été réécrit entre les deux",
	"%d document(s) match the manifest; %d not included (content purged, digest kept)":                           "%d document(s) correspondent au manifeste ; %d non inclus (contenu supprimé, empreinte gardée)",
	"SHA-256(manifest.json) is the deposit token's imprint":                                                      "SHA-256(manifest.json) est l’empreinte que le jeton du dépôt horodate",
	"%d files, layout version %d":                                                                                "%d fichiers, organisation version %d",
	"PDF with its attachments %s, %s and %s":                                                                     "PDF avec ses pièces jointes %s, %s et %s",
	"all %d event(s) are leaves of the checkpoint's tree":                                                        "les %d événement(s) sont des feuilles de l’arbre du point de contrôle",
	"%d evidence file(s) JAdES-sealed by %s, each saying what its chained event says":                            "%d fichier(s) de preuve scellés JAdES par %s, chacun disant ce que dit l’événement chaîné",
	"%s; its certificate was valid at %s":                                                                        "%s ; son certificat était valable le %s",
	"granted %s by %s (serial %s, policy %s)":                                                                    "délivré le %s par %s (numéro de série %s, politique %s)",
	"%d event(s): each hash recomputed from its canonical bytes, links checked":                                  "%d événement(s) : chaque empreinte recalculée à partir de ses octets canoniques, liens vérifiés",
	"signed by %s: %d records":                                                                                   "signé par %s : %d enregistrements",
	"not checked: the bundle's checkpoint is invalid":                                                            "non vérifié : le point de contrôle du dossier n’est pas valable",
	"a certificate carries none: verify the evidence bundle (evidence.zip) to check the log":                     "un certificat n’en porte pas : vérifiez le dossier de preuves (evidence.zip) pour contrôler le journal",
	"not checked: they need a valid checkpoint and valid events":                                                 "non vérifiées : il leur faut un point de contrôle et des événements valables",
	"not checked: it needs a valid seal to anchor its signer":                                                    "non vérifiées : il leur faut un cachet valable pour ancrer leur signataire",
	"not checked: it needs valid events":                                                                         "non vérifiées : il leur faut des événements valables",
	"none: issued before lre wrote ETSI EN 319 522-3 evidence":                                                   "aucune : émis avant que lre écrive des preuves ETSI EN 319 522-3",
	"%s does not time-stamp checkpoint.txt followed by the tokens before it":                                     "%s n’horodate pas checkpoint.txt suivi des jetons qui le précèdent",
	"checkpoint.txt is not the data checkpoint.tsr time-stamps":                                                  "checkpoint.txt n’est pas ce que checkpoint.tsr horodate",
	"the bundle carries no consistency proof from %d to %d records: download it again with ?consistency_from=%d": "le dossier ne porte pas de preuve de cohérence de %d à %d enregistrements : téléchargez-le à nouveau avec ?consistency_from=%d",
	"two checkpoints of %d records with different roots: the log was rewritten":                                  "deux points de contrôle de %d enregistrements avec des racines différentes : le journal a été réécrit",
	"a certificate carries no checkpoint to compare with: verify the evidence bundle instead":                    "un certificat ne porte pas de point de contrôle à comparer : vérifiez plutôt le dossier de preuves",
	"%s does not match the SHA-256 the manifest records for %q":                                                  "%s ne correspond pas à l’empreinte SHA-256 que le manifeste enregistre pour %q",
	"bundle.json lists part %d, which the manifest does not have":                                                "bundle.json cite la partie %d, que le manifeste n’a pas",
	"its manifest.json differs from the bundle's":                                                                "son manifest.json diffère de celui du dossier",
	"%s is listed but missing":                                                                                   "%s est cité mais manque",
	"neither an evidence bundle (ZIP) nor a certificate (PDF)":                                                   "ni un dossier de preuves (ZIP), ni un certificat (PDF)",
	"the bundle has certificates but no %s":                                                                      "le dossier a des certificats mais pas de %s",
	"%s is missing: every event has its evidence":                                                                "%s manque : chaque événement a sa preuve",
	"no proof for record %d":                                                                                     "pas de preuve pour l’enregistrement %d",
	"proofs.json is for %d records, the checkpoint for %d":                                                       "proofs.json est pour %d enregistrements, le point de contrôle pour %d",
	"its %s differs from the bundle's evidence":                                                                  "son %s diffère des preuves du dossier",
	"its timestamp.tsr differs from the bundle's deposit.tsr":                                                    "son timestamp.tsr diffère du deposit.tsr du dossier",
	"sealed by %q, chaining to %q; signature time-stamped %s%s":                                                  "scellé par %q, qui remonte à %q ; signature horodatée le %s%s",
}

// checkNote is a check's name and detail as the report page shows them,
// and the language they are in.
type checkNote struct{ Name, Detail, Lang string }

// CheckNote writes c in the page's language when audit's sentence has a
// French text, else in English.
func (p pageData) CheckNote(c audit.Check) checkNote {
	if p.Lang == "en" {
		return checkNote{c.Name, c.Detail, "en"}
	}
	fr, ok := auditTextFR[c.Format]
	if _, tokens := firstArg(c).(audit.CheckpointTokens); c.Format == "%s" && tokens {
		fr, ok = "%s", true
	}
	name, named := auditNamesFR[c.Name], true
	if rest, dated := strings.CutPrefix(c.Name, "deposit token as of "); dated {
		name = "jeton du dépôt au " + rest
	} else if name == "" {
		name, named = c.Name, !strings.Contains(c.Name, " ")
	}
	if !ok || !named {
		return checkNote{c.Name, c.Detail, "en"}
	}
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		args[i] = auditArgFR(a)
	}
	return checkNote{name, fmt.Sprintf(fr, args...), "fr"}
}

// auditArgFR writes in French the arguments audit gives as values rather
// than words: the seal's time-stamp and what protects it over time.
func auditArgFR(a any) any {
	switch v := a.(type) {
	case audit.Authority:
		return authorityFR(string(v))
	case audit.StampTime:
		if v.Token == nil {
			return "(sans horodatage)"
		}
		return rfc3339OrUnknown(v.Token.Time)
	case audit.CheckpointTokens:
		first, n := v.Tokens[0], len(v.Tokens)-1
		d := fmt.Sprintf("délivré le %s par %s", rfc3339OrUnknown(first.Time), authorityFR(first.TSA))
		if n > 0 {
			d += fmt.Sprintf(" ; %d jeton(s) d’archive, le plus récent délivré le %s par %s", n, rfc3339OrUnknown(v.Tokens[n].Time), authorityFR(v.Tokens[n].TSA))
		}
		if !v.At.IsZero() {
			d += " ; valables au " + rfc3339OrUnknown(v.At)
		}
		return d
	case audit.SealProtection:
		var b strings.Builder
		if v.Certified {
			b.WriteString(" ; signature de certification (DocMDP P=1 : aucune modification permise)")
		}
		for _, t := range v.DocStamps {
			fmt.Fprintf(&b, " ; horodatage de document du %s par « %s »", rfc3339OrUnknown(t.Time), authorityFR(t.TSA))
		}
		return b.String()
	}
	return a
}

// authorityFR writes a token's authority for a French reader.
func authorityFR(tsa string) string { return pageData{Lang: "fr"}.Authority(tsa) }

func rfc3339OrUnknown(t time.Time) string {
	if t.IsZero() {
		return "heure inconnue"
	}
	return t.UTC().Format(time.RFC3339)
}

func firstArg(c audit.Check) any {
	if len(c.Args) == 0 {
		return nil
	}
	return c.Args[0]
}
