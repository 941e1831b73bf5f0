package evidence

import (
	"fmt"
	"strings"
	"time"
)

// readmeArchive explains and checks the checkpoint's archive tokens, when
// renewal added some: each one over the checkpoint and every token before
// it (ArchiveInput), each older token checked as of the next one's time.
func readmeArchive(b *strings.Builder, p bundleParts) {
	arch := p.checkpoint.Archive
	if len(arch) == 0 {
		return
	}
	fmt.Fprintf(b, `2b. The archive tokens
=====================

Before the authority's certificate that signed checkpoint.tsr ended, the
provider added %d archive token(s): checkpoint-archive-<k>.tsr (k from 1),
each an RFC 3161 TimeStampResp (DER) over SHA-256 of checkpoint.txt
followed by checkpoint.tsr and every archive token before k, the files'
bytes concatenated without separators. Each token is checked as of the time
of the next one (it only had to be valid until something newer covered
it), the newest as of its own time:

`+"```sh\n", len(arch))
	toks := p.checkpoint.Tokens()
	files := []string{"checkpoint.txt", BundleCheckpointToken}
	for k := range arch {
		files = append(files, BundleArchiveToken(k+1))
	}
	for i := range toks {
		data := "checkpoint.txt"
		if i > 0 {
			data = fmt.Sprintf("archive-input-%d", i)
			fmt.Fprintf(b, "cat %s > %s\n", strings.Join(files[:i+1], " "), data)
		}
		at := toks[i].Time
		if i+1 < len(toks) {
			at = toks[i+1].Time
		}
		fmt.Fprintf(b, "openssl ts -verify -data %s -in %s -CAfile tsa-chain.pem -attime %d\n", data, files[i+1], at.UTC().Unix())
	}
	newest := arch[len(arch)-1].Time.UTC()
	fmt.Fprintf(b, "```\n\nThe newest archive token was granted %s. To check the chain as of a\nlater date D, run its line with -attime $(date -u -d D +%%s): it passes as\nlong as that token's certificate is valid at D; lre verify evidence.zip\n--at D applies the same rule to every token of the bundle.\n\n", newest.Format(time.RFC3339))
}
