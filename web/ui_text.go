package web

import "fmt"

// uiText is the catalogue of the sender's and admin's pages added for
// issue 18 (duplicate warning, kept files, account pages, the letter's
// summary), merged into the pages' catalogue at start-up like batchText.
var uiText = map[string]struct{ fr, en string }{
	"snd_dup_title":  {"Vous avez déjà envoyé ces documents à ce destinataire", "You already sent these documents to this recipient"},
	"snd_dup_intro":  {"Dans les dernières 24 heures, les mêmes pièces ont été envoyées à la même adresse. Vérifiez qu’il ne s’agit pas d’un double envoi :", "In the last 24 hours, the same files were sent to the same address. Check that this is not a second sending by mistake:"},
	"snd_dup_letter": {"lettre %s, envoyée le %s", "letter %s, sent on %s"},
	"snd_dup_anyway": {"Je veux envoyer une nouvelle lettre recommandée malgré tout", "I want to send a new registered letter anyway"},
}

func init() {
	for k, v := range uiText {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
