package web

import "fmt"

// verifyText is the catalogue of the verification page's certificate and
// upload checks, merged into the pages' catalogue at start-up.
var verifyText = map[string]struct{ fr, en string }{
	"vfy_cert_yes":             {"Authentique : %s a bien émis ce certificat (%s) pour la lettre %s.", "Genuine: %s did issue this certificate (%s) for letter %s."},
	"vfy_cert_digest":          {"Empreinte du dépôt (SHA-256), à comparer avec celle du certificat", "Deposit digest (SHA-256), to compare with the certificate’s"},
	"vfy_cert_event":           {"Événement attesté, enregistré le", "Attested event, recorded on"},
	"vfy_cert_status":          {"État de la lettre aujourd’hui", "The letter’s status today"},
	"vfy_cert_no":              {"Non : aucun certificat de la lettre %s ne porte ce code de vérification. Vérifiez le code imprimé sur le certificat ; s’il est exact, ce certificat n’a pas été émis par ce service.", "No: no certificate of letter %s carries this check code. Check the code printed on the certificate; if it is right, this certificate was not issued by this service."},
	"vfy_cert_intro":           {"Vous avez un certificat (preuve de dépôt, de réception, de refus…) ? Saisissez le numéro de la lettre et le code de vérification imprimés dessus, ou scannez son QR code.", "Do you hold a certificate (proof of deposit, receipt, refusal…)? Enter the letter number and the check code printed on it, or scan its QR code."},
	"vfy_cert_code":            {"Code de vérification du certificat", "Certificate check code"},
	"vfy_cert_button":          {"Vérifier le certificat", "Check the certificate"},
	"vfy_notice_heading":       {"Un e-mail annonçant une lettre", "An email announcing a letter"},
	"vfy_cert_heading":         {"Un certificat", "A certificate"},
	"vfy_upload_heading":       {"Un fichier de preuve", "A proof file"},
	"vfy_upload_intro":         {"Déposez un certificat PDF ou un dossier de preuves (evidence.zip) : nous refaisons devant vous les vérifications que chacun peut faire avec openssl et pdfsig.", "Upload a certificate PDF or an evidence bundle (evidence.zip): we run the checks anyone can run with openssl and pdfsig."},
	"vfy_upload_label":         {"Certificat PDF ou evidence.zip (50 Mo au plus)", "Certificate PDF or evidence.zip (at most 50 MB)"},
	"vfy_upload_button":        {"Vérifier le fichier", "Check the file"},
	"vfy_report_ok":            {"Toutes les vérifications réussissent pour la lettre %s.", "Every check passes for letter %s."},
	"vfy_report_failed":        {"Des vérifications échouent pour la lettre %s : ce fichier a été modifié ou n’est pas une preuve de ce service.", "Some checks fail for letter %s: this file was changed or is not a proof of this service."},
	"vfy_report_checks":        {"Vérifications", "Checks"},
	"vfy_report_trust":         {"Ces vérifications prouvent que le fichier est intact. Pour prouver qui l’a émis, comparez les empreintes ci-dessous avec celles que publie le prestataire.", "These checks prove the file is intact. To prove who issued it, compare the fingerprints below with the ones the provider publishes."},
	"vfy_ok":                   {"réussi", "passed"},
	"vfy_failed":               {"échoué", "failed"},
	"vfy_skipped":              {"non applicable", "not applicable"},
	"vfy_upload_error":         {"Ce fichier n’a pas pu être vérifié.", "This file could not be checked."},
	"vfy_kind_document-digest": {"Empreintes des documents", "Document digests"},
	"vfy_kind_token":           {"Jeton d’horodatage RFC 3161", "RFC 3161 timestamp token"},
	"vfy_kind_signature":       {"Sceau du PDF", "PDF seal"},
	"vfy_kind_chain":           {"Chaînage du journal", "Log hash chain"},
	"vfy_kind_proof":           {"Preuve d’inclusion", "Inclusion proof"},
	"vfy_kind_checkpoint":      {"Point de contrôle signé", "Signed checkpoint"},
	"vfy_kind_format":          {"Format du fichier", "File format"},
}

func init() {
	for k, v := range verifyText {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q is defined twice", k))
		}
		catalogue[k] = v
	}
}
