package web

import "fmt"

// batchText is the catalogue of the batch pages, merged into the pages'
// catalogue at start-up like accountText.
var batchText = map[string]struct{ fr, en string }{
	"snd_nav_batch":        {"Envoi groupé", "Bulk sending"},
	"bat_new_title":        {"Envoi groupé de lettres recommandées", "Bulk sending of registered letters"},
	"bat_new_intro":        {"Envoyez la même lettre à tous les destinataires d’un fichier CSV : chacun reçoit sa propre lettre recommandée, avec son lien, ses événements et ses preuves.", "Send the same letter to every recipient of a CSV file: each receives a registered letter of their own, with its own link, events and proofs."},
	"bat_field_recipients": {"Fichier des destinataires (CSV)", "Recipients file (CSV)"},
	"bat_csv_help":         {"Première ligne : les noms des colonnes email et name (obligatoires), et si besoin type (professional ou consumer), reference, language (fr ou en), birthdate. Séparateur virgule ou point-virgule, UTF-8 ; %d lignes au plus.", "First line: the column names email and name (required), and as needed type (professional or consumer), reference, language (fr or en), birthdate. Comma or semicolon separated, UTF-8; at most %d rows."},
	"bat_letter":           {"La lettre, identique pour tous", "The letter, the same for all"},
	"bat_preview_button":   {"Vérifier le fichier et la lettre", "Check the file and the letter"},
	"bat_preview_title":    {"Vérifier l’envoi groupé", "Check the bulk sending"},
	"bat_preview_intro":    {"Chaque ligne ci-dessous deviendra une lettre recommandée. Rien n’est envoyé avant que vous confirmiez.", "Each row below will become a registered letter. Nothing is sent before you confirm."},
	"bat_rows_count":       {"%d destinataires", "%d recipients"},
	"bat_rows_more":        {"… et %d autres lignes, vérifiées de la même façon.", "… and %d more rows, checked the same way."},
	"bat_col_line":         {"Ligne", "Line"},
	"bat_col_field":        {"Colonne", "Column"},
	"bat_col_problem":      {"Problème", "Problem"},
	"bat_col_letter":       {"Lettre", "Letter"},
	"bat_errors_title":     {"Lignes à corriger", "Rows to correct"},
	"bat_errors_intro":     {"%d lignes du fichier ne sont pas acceptées. Rien n’a été envoyé : corrigez-les dans votre tableur, enregistrez en CSV et recommencez.", "%d rows of the file are not accepted. Nothing was sent: correct them in your spreadsheet, save as CSV and start again."},
	"bat_send_button":      {"Envoyer les %d lettres", "Send the %d letters"},
	"bat_title":            {"Envoi groupé", "Bulk sending"},
	"bat_summary":          {"%d lettres sur %d déposées.", "%d of %d letters deposited."},
	"bat_counts":           {"Lettres par état", "Letters by status"},
	"bat_proofs":           {"Télécharger toutes les preuves émises (zip)", "Download every proof issued (zip)"},
	"bat_proofs_help":      {"Le zip contient, pour chaque lettre, les preuves déjà émises (dépôt, puis notification, réception, refus ou non-réclamation) et letters.csv, qui relie chaque ligne de votre fichier à sa lettre.", "The zip holds, for each letter, the proofs issued so far (deposit, then notification, receipt, refusal or non-claim) and letters.csv, which links each row of your file to its letter."},
	"bat_letters_caption":  {"Les lettres de cet envoi, dans l’ordre du fichier", "The letters of this sending, in the file’s order"},
	"snd_status_waiting":   {"pas encore déposée", "not deposited yet"},
	"bat_col_recipient":    {"Destinataire", "Recipient"},
	"bat_col_reference":    {"Référence", "Reference"},
	"bat_err_file":         {"Le fichier des destinataires ne peut pas être lu.", "The recipients file cannot be read."},
}

func init() {
	for k, v := range batchText {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
