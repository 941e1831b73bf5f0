package evidence

import (
	"fmt"
	"strings"
	"time"
)

// readmeArchive explains and checks the checkpoint's archive tokens, when
// renewal added some: each one over the checkpoint and every token before
// it (ArchiveInput), each older token checked as of the next one's time.
func readmeArchive(b *strings.Builder, p bundleParts, t readmeText) {
	arch := p.checkpoint.Archive
	if len(arch) == 0 {
		return
	}
	fmt.Fprintf(b, t.archive+"```sh\n", len(arch))
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
	fmt.Fprintf(b, "```\n\n"+t.archiveAfter, newest.Format(time.RFC3339))
}
