// Package password verifies the password formats a Hedwig or James
// installation may hold and hashes new passwords with argon2id.
//
// Hedwig keeps hw_user.passwd as plaintext, or, when its JAAS login module is
// configured with an encoder, as md5-crypt ("$1$salt$hash") or traditional
// DES crypt (13 characters). James keeps a base64 digest named by its
// usersrepository algorithm, e.g. PBKDF2-SHA512 salted with the user name.
// Every comparison here runs in constant time with respect to the secret.
package password
