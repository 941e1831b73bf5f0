package smtp

import "strings"

// verpPrefix starts the local part of every bounce address. Plus-addressing
// keeps one mailbox for all of them on servers that route by the part before
// the "+".
const verpPrefix = "bounce+"

// VERPAddress returns the envelope sender that makes bounces name what they
// are about (Variable Envelope Return Path): bounce+<id>@domain. The id is a
// notice id or a queue id; it must be made of characters valid unquoted in a
// local part, as core's ids are.
func VERPAddress(id, domain string) string {
	return verpPrefix + id + "@" + domain
}

// ParseVERP returns the id of a bounce+<id>@domain address, with or without
// angle brackets. The prefix is matched without regard to case because some
// MTAs lower-case local parts; the id is returned as found, so callers with
// case-insensitive ids should normalise it themselves.
func ParseVERP(addr string) (id string, ok bool) {
	addr = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(addr), "<"), ">")
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || at == len(addr)-1 {
		return "", false
	}
	local := addr[:at]
	if len(local) <= len(verpPrefix) || !strings.EqualFold(local[:len(verpPrefix)], verpPrefix) {
		return "", false
	}
	id = local[len(verpPrefix):]
	if !validID(id) {
		return "", false
	}
	return id, true
}

// verpDomain returns the domain of addr, lower-cased.
func verpDomain(addr string) string {
	addr = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(addr), "<"), ">")
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
}
