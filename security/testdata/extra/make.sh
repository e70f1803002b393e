#!/usr/bin/env bash
# Extra fixtures for package security, made with the same real tools as
# ../keystores (openssl 3.0, JDK 17 keytool) from the keys in ../keystores.
# They cover encodings the shared fixtures lack. Passwords: README.md.
set -euo pipefail
cd "$(dirname "$0")"
K=../keystores
rm -f *.key *.jks *.jceks *.p12
# encrypted PKCS#8 with each PBES2 PRF and cipher, and the PBES1 / PKCS#12 PBE forms
openssl pkcs8 -topk8 -v2 des3 -v2prf hmacWithSHA1 -in $K/server.key -passout pass:secret -out server.pkcs8-sha1-des3.key
openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA512 -in $K/server.key -passout pass:secret -out server.pkcs8-sha512-aes128.key
openssl pkcs8 -topk8 -v2 aes-192-cbc -v2prf hmacWithSHA256 -in $K/server.key -passout pass:secret -out server.pkcs8-sha256-aes192.key
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in $K/server.key -passout pass:secret -out server.pkcs8-pbe-sha1-3des.key
openssl pkcs8 -topk8 -v1 PBE-MD5-DES -provider legacy -provider default -in $K/server.key -passout pass:secret -out server.pkcs8-pbe-md5-des.key
# legacy PEM encryption with AES, and an encrypted SEC 1 EC key
openssl rsa -traditional -aes128 -in $K/server.key -passout pass:secret -out server.aes128.key 2>/dev/null
openssl rsa -traditional -aes256 -in $K/server.key -passout pass:secret -out server.aes256.key 2>/dev/null
openssl ec -des3 -in $K/ec.key -passout pass:secret -out ec.des3.key 2>/dev/null
# unencrypted PKCS#8 EC key, and a combined PEM (chain + key in one file, as stunnel uses)
openssl pkcs8 -topk8 -nocrypt -in $K/ec.key -out ec.pkcs8.key
cat $K/server-chain.crt $K/server.key > combined.pem
# a chain that includes its root, so it verifies from the file alone
cat $K/server.crt $K/int.crt $K/ca.crt > server-fullchain.crt
# the certificate the James recipe makes for ../keystores/private.key (the shared make.sh
# deletes its certs.self-signed.csr along with the other *.csr files)
openssl req -new -key $K/private.key -passin pass:secret -subj "/CN=mail.example.com" 2>/dev/null \
  | openssl x509 -req -days 3650 -signkey $K/private.key -passin pass:secret -out private.self-signed.crt 2>/dev/null
DN="CN=mail.example.com, OU=Mail, O=Example, L=Seoul, C=KR"
SAN="-ext SAN=dns:mail.example.com,dns:localhost,ip:127.0.0.1"
# JCEKS with a key password different from the store password
keytool -genkeypair -alias mail -keyalg RSA -keysize 2048 -keypass keypass1 -storepass storepass1 \
  -storetype JCEKS -keystore keypass.jceks -dname "$DN" $SAN -validity 3650 2>/dev/null
# JCEKS holding a secret key too: not readable here, must name the conversion command
cp $K/mail.jceks secretkey.jceks
keytool -genseckey -alias aes -keyalg AES -keysize 128 -keypass secret -storepass secret \
  -storetype JCEKS -keystore secretkey.jceks 2>/dev/null
# PKCS#12 with two private keys: refused, naming both aliases
keytool -genkeypair -alias first -keyalg RSA -keysize 2048 -storepass secret -storetype PKCS12 \
  -keystore two-keys.p12 -dname "$DN" -validity 3650 2>/dev/null
keytool -genkeypair -alias second -keyalg EC -groupname secp256r1 -storepass secret -storetype PKCS12 \
  -keystore two-keys.p12 -dname "CN=other.example.com" -validity 3650 2>/dev/null
# JKS whose passwords are not ASCII (Java hashes them as UTF-16)
keytool -genkeypair -alias mail -keyalg EC -groupname secp256r1 -keypass 'pässwörd' -storepass 'pässwörd' \
  -storetype JKS -keystore unicode.jks -dname "$DN" $SAN -validity 3650 2>/dev/null
# a DSA key, which TLS here cannot use
keytool -genkeypair -alias dsa -keyalg DSA -keysize 2048 -keypass secret -storepass secret \
  -storetype JKS -keystore dsa.jks -dname "$DN" -validity 3650 2>/dev/null
chmod 644 -- *.key *.pem *.crt *.jks *.jceks *.p12
ls -l
