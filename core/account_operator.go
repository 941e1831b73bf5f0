package core

// IsOperator reports whether u is the provider's operator: an admin
// without an organisation. Such an admin manages no organisation's users;
// it runs the service itself (lre users add --role admin without --org).
func (u User) IsOperator() bool {
	return u.Role == RoleAdmin && u.Organisation == ""
}

// CheckOperator allows provider-wide actions, such as a backup of the whole
// database (every organisation's letters), to the operator only.
// Errors: EFORBIDDEN for anyone else, organisation admins included: the
// action names no id of another organisation, so refusing it openly leaks
// nothing.
func CheckOperator(u User) error {
	if !u.IsOperator() {
		return Errorf(EFORBIDDEN, "only the provider's operator (an admin without an organisation) takes backups")
	}
	return nil
}
