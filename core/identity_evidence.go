package core

// evidence adds to d how the person was identified: the method, the level
// reached, and for a provider its issuer, the pseudonymous subject and the
// name-match result. Every event an identified recipient causes carries
// them, so that each proof says who acted and how strongly that was known.
func (i *Identity) evidence(d map[string]string) map[string]string {
	if i == nil {
		return d
	}
	d["identification_method"] = i.Method()
	d["assurance_level"] = i.Assurance
	for k, v := range map[string]string{"identification_issuer": i.Issuer, "identification_subject": i.Subject, "name_match": i.NameMatch} {
		if v != "" {
			d[k] = v
		}
	}
	return d
}
