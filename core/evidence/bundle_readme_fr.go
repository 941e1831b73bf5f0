package evidence

// readmeFR is the bundle README in French: the same steps, formats and
// commands as readmeEN, for a French letter's sender and recipient. File,
// field and JSON member names stay as the files write them.
var readmeFR = readmeText{
	title:        "Dossier de preuves de la lettre recommandée %s\nÉmis par %s, %s.\n\n",
	qualified:    "service qualifié d’envoi recommandé électronique (eIDAS, art. 44)",
	nonQualified: "service d’envoi recommandé électronique NON QUALIFIÉ (eIDAS, art. 43)",
	purged:       "%d document(s) ne sont pas inclus : leur contenu a été supprimé à la fin de\nleur durée de conservation. Leurs empreintes restent dans manifest.json.\n\n",
	archiveAfter: "Le jeton d’archive le plus récent a été délivré le %s. Pour vérifier la chaîne\nà une date D ultérieure, lancez sa ligne avec -attime $(date -u -d D +%%s) : elle\nréussit tant que le certificat de ce jeton est valable à la date D ; lre verify\nevidence.zip --at D applique la même règle à chaque jeton du dossier.\n\n",
	intro: `Comment utiliser ce fichier
===========================

Décompressez le dossier, puis lancez avec bash, dans l’ordre et depuis le
répertoire décompressé, chaque bloc marqué ` + "```" + `sh ci-dessous : ils
fonctionnent tels quels. Il leur faut openssl 3, sha256sum (coreutils),
python3 (sa seule bibliothèque standard), certutil (outils NSS) et pdfsig
(poppler) ; sur Debian :

    apt-get install openssl coreutils python3 libnss3-tools poppler-utils

Chaque bloc affiche ce qu’il a vérifié et échoue (code de sortie différent
de 0, une ligne qui dit ce qui ne va pas) quand la vérification échoue.
Aucun n’a besoin du réseau. Les messages des commandes sont en anglais,
comme ceux des outils.

Confiance : les certificats et la clé que contient ce dossier (tsa-chain.pem,
seal.pem, seal-root.pem, log-key.txt) prouvent l’intégrité, pas l’origine.
Comparez-les avec ceux que le prestataire publie (/api/v1/tsa/certs.pem,
/api/v1/seal/certs.pem, /api/v1/log/key) avant de vous y fier :

`,
	documents: `1. La lettre
============

manifest.json est le dépôt : les parties, l’objet et l’empreinte SHA-256 du
message et de chaque document (champs body.sha256 et documents[].sha256, en
hexadécimal minuscule). Sa propre empreinte SHA-256 est l’empreinte du dépôt,
que deposit.tsr horodate (étape 2) et que l’événement SubmissionAcceptance
enregistre (deposit_digest). Les documents encore conservés sont sous
documents/ ; sha256sum compare chacun avec l’empreinte que le manifeste
enregistre :

`,
	tokens: `2. Les horodatages
==================

deposit.tsr est une TimeStampResp RFC 3161 (DER) sur l’empreinte SHA-256 du
fichier manifest.json entier ; checkpoint.tsr en est une sur l’empreinte
SHA-256 du fichier checkpoint.txt entier (chaque octet : le texte du point de
contrôle, la ligne vide, les lignes de signature et le saut de ligne final).
tsa-chain.pem est la chaîne de certificats de l’autorité d’horodatage.

`,
	tokensAfter: `
Chacune affiche « Verification: OK ». -attime N vérifie les certificats tels
qu’ils étaient N secondes après le 1er janvier 1970 UTC : ici, l’heure à
laquelle chaque jeton a été délivré (%s et %s ; ` + "`" + `date -u -d @N` + "`" + `
l’affiche). Sans cette option, openssl les vérifie à la date du jour, et
échoue une fois le certificat de l’autorité expiré (« certificate has
expired »), alors que le jeton a été fait quand il était valable : ce qu’un
horodatage prouve, c’est que les données existaient à son heure, signées par
un certificat valable alors. Ce que -attime ne peut pas prouver, c’est que la
clé de l’autorité est restée sûre depuis : c’est à cela que servent les
horodatages plus récents que le prestataire ajoute avant la fin d’un
certificat.

`,
	archive: `2b. Les jetons d’archive
========================

Avant la fin du certificat de l’autorité qui a signé checkpoint.tsr, le
prestataire a ajouté %d jeton(s) d’archive : checkpoint-archive-<k>.tsr (k à
partir de 1), chacun une TimeStampResp RFC 3161 (DER) sur l’empreinte
SHA-256 de checkpoint.txt suivi de checkpoint.tsr et de chaque jeton
d’archive avant k, les octets des fichiers mis bout à bout sans séparateur.
Chaque jeton est vérifié à l’heure du suivant (il lui suffisait d’être
valable jusqu’à ce qu’un plus récent le couvre), le plus récent à sa propre
heure :

`,
	log: `3. Le journal des preuves : chaîne, preuves, point de contrôle
==============================================================

Chaque événement est un enregistrement d’un journal unique, en ajout seul,
commun à toutes les lettres. events.json contient les enregistrements de
cette lettre, dans l’ordre du journal, sous Evidences[i].LogRecord :

- Seq : le numéro de l’enregistrement dans tout le journal (1, 2, … ; ceux
  des autres lettres s’intercalent entre ceux de cette lettre) ;
- PrevHash, Hash : des valeurs SHA-256 de 32 octets, écrites en hexadécimal
  minuscule ;
- CanonicalEvent : une chaîne JSON dont la valeur est les octets canoniques de
  l’événement. Décodez la chaîne (json.loads) et encodez le résultat en
  UTF-8 : ce sont les octets hachés, jamais resérialisés. Ils forment un
  objet JSON avec, dans cet ordre, type (le nom de l’événement selon
  ETSI EN 319 522), uri, notice_id, time (RFC 3339, UTC) et details (valeurs
  en chaînes, clés triées ; absent quand il est vide).

  Hash = SHA-256( les 13 octets ASCII "lre-event-v1", un octet 0x00,
                  Seq sur 8 octets gros-boutiens,
                  PrevHash sous forme de ses 32 octets bruts (hexadécimal décodé),
                  les octets canoniques de l’événement )

PrevHash est le Hash de l’enregistrement Seq-1 (32 octets nuls pour
l’enregistrement 1) : les enregistrements consécutifs de cette lettre
doivent se suivre. Chaque enregistrement est aussi la feuille Seq-1 (à
partir de 0) d’un arbre de Merkle RFC 6962 sur tout le journal, dont la
donnée de feuille est le Hash de 32 octets de l’enregistrement :

  leaf hash = SHA-256(0x00 || Hash)        node = SHA-256(0x01 || left || right)

checkpoint.txt est une note signée (c2sp.org/tlog-checkpoint,
c2sp.org/signed-note) : trois lignes, chacune terminée par "\n" : l’origine
du journal, la taille de l’arbre en décimal et la racine de l’arbre en
base64 standard ; puis une ligne vide ; puis des lignes de signature
"— <nom de la clé> <base64(identifiant de clé sur 4 octets || signature
Ed25519 de 64 octets)>" (la ligne commence par U+2014, un tiret cadratin).
La signature couvre les trois lignes (avec leurs sauts de ligne) et rien
d’autre. log-key.txt est la clé publique du journal, sous la forme
"<nom>+<identifiant de clé, 8 chiffres hexadécimaux>+<base64(0x01 || clé Ed25519 de 32 octets)>",
où l’identifiant de clé = les 4 premiers octets de
SHA-256(nom || 0x0A || 0x01 || clé). proofs.json contient, pour chaque
enregistrement, "inclusion" : seq, leaf_index (= seq-1), leaf_hash et hashes
(hexadécimal) : le chemin d’audit RFC 6962 de la feuille à la racine du
point de contrôle, du voisin le plus bas au plus haut, vérifié comme le dit
la section 2.1.3.2 de la RFC 9162.

Cette recette recalcule chaque empreinte, chaque lien et chaque preuve, et
vérifie l’identifiant de la clé du point de contrôle ; elle écrit ensuite le
texte signé du point de contrôle, sa signature et la clé dans des fichiers
pour openssl :

`,
	logAfter: `
openssl affiche « Signature Verified Successfully » : la clé du journal a
signé cet arbre de tous les enregistrements.

`,
	etsi: `4. Les preuves ETSI
===================

etsi/<seq>-<EventName>.json est la preuve de chaque événement au format
ETSI EN 319 522-3 (JSON, version "%s") : URI et heure de l’événement,
expéditeur et destinataire avec le niveau de garantie et la méthode
d’authentification enregistrés pour chacun (URI des niveaux eIDAS ; absents
avant que le destinataire soit identifié), motifs des événements négatifs,
heure de soumission, identifiant du message, l’empreinte SHA-256 de chaque
partie et, dans Extensions, l’enregistrement du journal qu’elle reprend
(LogSeq, LogHash : le Hash de l’enregistrement de l’étape 3). jadesSignature
est le cachet JAdES du prestataire (ETSI TS 119 182-1), compact et détaché :

- protected : le base64url d’un en-tête JSON avec alg (ES256 pour le cachet
  intégré), x5t#S256, x5c (la chaîne du cachet, signataire d’abord, DER en
  base64), sigT (heure de signature, UTC), sigD et crit ["sigT","sigD"] ;
- sigD désigne la preuve par URI et empreinte : mId
  http://uri.etsi.org/19182/ObjectIdByURIHash, pars
  ["urn:lre:evidence:" + EvidenceIdentifier], hashM "S256", hashV
  [base64url de l’empreinte SHA-256 de la preuve sans son membre
  jadesSignature, dans la forme canonique JSON de la RFC 8785 (pour ce
  contenu, des entiers seulement : python3 json.dumps(v, sort_keys=True,
  separators=(",", ":"), ensure_ascii=False) encodé en UTF-8)] ;
- la charge utile du JWS est vide : le JWS est protected + ".." + signature,
  et sa signature (ECDSA P-256 sur SHA-256, r || s) couvre les seuls octets
  ASCII de protected + ".".

Une bibliothèque JOSE vérifie la signature (python3-jwcrypto : déclarez sigT
et sigD comme en-têtes compris) ; l’empreinte la lie ensuite au fichier.
lre verify reconstruit aussi chaque preuve à partir de manifest.json et de
l’événement qu’elle reprend, et exige les mêmes octets.

`,
	certificates: `5. Les certificats
==================

Chaque PDF sous certificates/ est scellé (PAdES) par le certificat de
seal.pem, émis par la racine de seal-root.pem. pdfsig ne fait confiance
qu’aux racines d’une base NSS : créez-en une dans ./nss qui fait confiance à
seal-root.pem pour les documents signés (C,C,), puis vérifiez chaque PDF.
pdfsig sort avec le code 0 même sur une mauvaise signature : la boucle lit
donc son rapport. Le cachet doit dire « Signature is Valid. » et
« Certificate is Trusted. », rien ne doit dire « Digest Mismatch », et la
signature la plus récente doit dire « Total document signed » (tout ajout
après elle dit « Not total document signed »). Un certificat que le
prestataire a rafraîchi avant la fin du certificat de son autorité porte un
horodatage de document de plus par rafraîchissement, chacun avec les données
de validation de son jour (une mise à jour DSS) : pdfsig les liste après le
cachet, et le plus récent couvre tout le fichier. lre verify --at DATE
vérifie que le certificat de chaque horodatage était valable quand le
suivant a été fait, et celui du plus récent à la date DATE.

`,
	certificatesAfter: `
pdfdetach -saveall certificates/<kind>.pdf extrait ce que porte chaque
certificat (timestamp.tsr, manifest.json, events.json, etsi-*.json et
checkpoint.txt) : les mêmes fichiers que ceux de ce dossier, vérifiés de la
même façon.

`,
	allAtOnce: `Tout d’un coup
==============

lre verify fait toutes les vérifications ci-dessus, plus la preuve de
cohérence, en un seul rapport (go run github.com/lre-project/lre/cmd/lre@latest verify ...) :

    lre verify evidence.zip
    lre verify evidence.zip --checkpoint an-earlier-checkpoint.txt

Pour comparer avec un point de contrôle enregistré plus tôt, téléchargez le
dossier avec ?consistency_from=<la taille de ce point de contrôle> pour que
proofs.json porte la preuve de cohérence (RFC 6962, section 2.1.2,
"consistency" : from, to, hashes).
`,
}
