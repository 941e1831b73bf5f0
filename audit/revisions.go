package audit

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// errModified means an update after the seal changed the document: under a
// certification signature with DocMDP P=1 only validation data (a DSS) and
// document time-stamps may follow (ISO 32000-2, 12.8.2.2 and 12.8.4.3).
var errModified = errors.New("modified after sealing")

// The catalog entries a DSS or document time-stamp update may touch.
var ltvCatalogKeys = map[pdfName]bool{"DSS": true, "AcroForm": true, "Extensions": true}

// checkRevisions looks at every object written by the updates after the
// first sealEnd bytes and refuses anything that is not validation data or a
// document time-stamp: an added annotation, a changed page, a new content
// stream.
func checkRevisions(f *pdfFile, sealEnd int) error {
	old := f.asOf(sealEnd)
	later := f.objectsAfter(sealEnd)
	dssRefs := map[int]bool{}
	widgets := map[int]bool{}
	for _, o := range later {
		d, _ := o.value.(pdfDict)
		switch {
		case d["Type"] == pdfName("DSS"):
			for _, key := range []pdfName{"Certs", "CRLs", "OCSPs"} {
				arr, _ := d[key].([]any)
				for _, r := range arr {
					if ref, ok := r.(pdfRef); ok {
						dssRefs[ref.num] = true
					}
				}
			}
		case d["Subtype"] == pdfName("Widget") && d["FT"] == pdfName("Sig"):
			widgets[o.num] = true
		}
	}
	root, _ := f.trailer["Root"].(pdfRef)
	for _, o := range later {
		if err := allowedLater(old, o, root.num, dssRefs, widgets); err != nil {
			return fmt.Errorf("%w: %v; only validation data (DSS) and document time-stamps may follow the seal", errModified, err)
		}
	}
	return nil
}

type laterObject struct {
	num    int
	value  any
	stream bool
}

func allowedLater(old *pdfFile, o laterObject, root int, dssRefs, widgets map[int]bool) error {
	d, isDict := o.value.(pdfDict)
	switch {
	case o.stream && dssRefs[o.num] && len(d) <= 2: // /Length, maybe /Filter
		return nil
	case o.stream:
		return fmt.Errorf("stream object %d was written by a later update", o.num)
	case o.num == root:
		return sameCatalog(old, d, widgets)
	case isDict && d["Type"] == pdfName("DSS"):
		return nil
	case isDict && d["Type"] == pdfName("DocTimeStamp") && d["SubFilter"] == pdfName("ETSI.RFC3161"):
		return nil
	case widgets[o.num]:
		return nil
	case isDict && d["Type"] == pdfName("Page"):
		return samePage(old, o.num, d, widgets)
	}
	return fmt.Errorf("object %d, %s, was added or changed by a later update", o.num, describe(o.value))
}

// sameCatalog allows a new DSS, extensions and signature fields only.
func sameCatalog(old *pdfFile, cat pdfDict, widgets map[int]bool) error {
	before, err := old.catalog()
	if err != nil {
		return err
	}
	if k, ok := sameExcept(before, cat, ltvCatalogKeys); !ok {
		return fmt.Errorf("the catalog's /%s changed", k)
	}
	oldForm, err1 := old.dict(before["AcroForm"])
	newForm, err2 := old.dict(cat["AcroForm"]) // inline in what certs writes; resolved in the old view otherwise
	if err1 != nil || err2 != nil {
		return errors.New("the AcroForm changed or is unreadable")
	}
	if k, ok := sameExcept(oldForm, newForm, map[pdfName]bool{"Fields": true}); !ok {
		return fmt.Errorf("the AcroForm's /%s changed", k)
	}
	return onlyAdded(oldForm["Fields"], newForm["Fields"], widgets, "form field")
}

// samePage allows a page to gain signature widgets in /Annots, nothing else.
func samePage(old *pdfFile, num int, page pdfDict, widgets map[int]bool) error {
	v, _, err := old.object(num, 0)
	before, ok := v.(pdfDict)
	if err != nil || !ok {
		return fmt.Errorf("page object %d was added by a later update", num)
	}
	if k, ok := sameExcept(before, page, map[pdfName]bool{"Annots": true}); !ok {
		return fmt.Errorf("page object %d: its /%s changed", num, k)
	}
	return onlyAdded(before["Annots"], page["Annots"], widgets, "annotation")
}

// onlyAdded checks that after holds every entry of before (references or,
// as fpdf writes links, direct dictionaries) plus signature widgets only.
func onlyAdded(before, after any, widgets map[int]bool, what string) error {
	b, _ := before.([]any)
	a, ok := after.([]any)
	if !ok && after != nil {
		return fmt.Errorf("the %s list is not a direct array", what)
	}
	left := append([]any(nil), b...)
	for _, v := range a {
		if i := slices.IndexFunc(left, func(o any) bool { return reflect.DeepEqual(o, v) }); i >= 0 {
			left = slices.Delete(left, i, i+1)
			continue
		}
		if r, isRef := v.(pdfRef); !isRef || !widgets[r.num] {
			return fmt.Errorf("an %s other than a signature field was added (%s)", what, describe(v))
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("an %s was removed", what)
	}
	return nil
}

func sameExcept(a, b pdfDict, skip map[pdfName]bool) (pdfName, bool) {
	keys := map[pdfName]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, string(k))
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if !skip[pdfName(k)] && !reflect.DeepEqual(a[pdfName(k)], b[pdfName(k)]) {
			return pdfName(k), false
		}
	}
	return "", true
}

func describe(v any) string {
	d, ok := v.(pdfDict)
	switch {
	case !ok:
		return fmt.Sprintf("a %T", v)
	case d["Type"] == pdfName("Annot") || d["Subtype"] != nil:
		sub, _ := d["Subtype"].(pdfName)
		return "a /" + string(sub) + " annotation"
	case d["Type"] != nil:
		typ, _ := d["Type"].(pdfName)
		return "a /" + string(typ) + " object"
	}
	return "a dictionary"
}

// asOf returns the file as its first end bytes were: the objects of the
// sections written before end.
func (f *pdfFile) asOf(end int) *pdfFile {
	v := &pdfFile{data: f.data[:end], offsets: map[int]int{}, trailer: f.trailer}
	for _, s := range f.sections { // newest first: the first one seen wins
		if s.at >= end {
			continue
		}
		for n, off := range s.objs {
			if _, ok := v.offsets[n]; !ok {
				v.offsets[n] = off
			}
		}
	}
	return v
}

// objectsAfter returns every object version written by the sections after
// the first end bytes, in file order.
func (f *pdfFile) objectsAfter(end int) []laterObject {
	type at struct{ num, off int }
	var all []at
	for _, s := range f.sections {
		if s.at < end {
			continue
		}
		for n, off := range s.objs {
			all = append(all, at{n, off})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].off < all[j].off })
	out := make([]laterObject, 0, len(all))
	for _, a := range all {
		v, raw, err := f.objectAt(a.num, a.off, 0)
		if err != nil {
			v = fmt.Sprintf("unreadable: %v", err)
		}
		out = append(out, laterObject{num: a.num, value: v, stream: raw != nil})
	}
	return out
}

// revisionEnd reports whether the first end bytes of data are a complete
// revision: they end with %%EOF, the end of one file version.
func revisionEnd(data []byte, end int64) bool {
	return end > 0 && end <= int64(len(data)) && bytes.HasSuffix(bytes.TrimRight(data[:end], "\r\n"), []byte("%%EOF"))
}

// dssCertificates returns the certificates of the catalog's DSS, if any.
func (f *pdfFile) dssCertificates() []*x509.Certificate {
	cat, err := f.catalog()
	if err != nil {
		return nil
	}
	dss, err := f.dict(cat["DSS"])
	if err != nil {
		return nil
	}
	arr, _ := dss["Certs"].([]any)
	var out []*x509.Certificate
	for i, v := range arr {
		if i >= maxAttachments {
			break
		}
		raw, err := f.stream(v)
		if err != nil {
			continue
		}
		if c, err := x509.ParseCertificate(raw); err == nil {
			out = append(out, c)
		}
	}
	return out
}
