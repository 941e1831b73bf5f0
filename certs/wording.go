package certs

// Wording is every sentence and label of a certificate in lang: the
// language tests of certs and of the pages that serve certificates (web)
// check that no French certificate quotes the English wording.
func Wording(lang string) []string {
	t := textsFor(lang)
	out := []string{t.letterKind, t.nonQual, t.qual, t.secLetter, t.secEvent, t.secToken, t.secContent, t.secLog, t.secVerify,
		t.letterID, t.subject, t.reference, t.sender, t.recipient, t.identification, t.method, t.assurance,
		t.eventType, t.timeUTC, t.remoteHost, t.reply, t.deadline, t.reason, t.otherDetails,
		t.tsa, t.serial, t.tokenTime, t.policy, t.qualifiedTS, t.depositDigest, t.body, t.attachment, t.mediaType, t.size,
		t.seq, t.recordHash, t.checkpoint, t.verifyURL, t.verifyIntro, t.checkCode, t.footer, t.none}
	out = append(out, t.verifySteps...)
	for _, m := range []map[string]string{t.methods, t.assurances, t.reasons} {
		for _, v := range m {
			out = append(out, v)
		}
	}
	for _, v := range t.titles {
		out = append(out, v)
	}
	for _, v := range t.statements {
		out = append(out, v)
	}
	for _, v := range t.events {
		out = append(out, v)
	}
	return out
}
