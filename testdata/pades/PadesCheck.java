// PadesCheck validates a certificate PDF with PDFBox and Bouncy Castle, code
// nobody in this project wrote: the seal's CAdES signature and its
// signature time-stamp, the DocMDP certification (P=1), the DSS and every
// document time-stamp, each certificate path checked by the JDK's PKIX
// validator at the time-stamp's time with the CRLs from the DSS.
//
// Usage: java -cp <pdfbox2, fontbox2, commons-logging, bcprov, bcpkix, bcutil jars>
//        PadesCheck.java file.pdf roots.pem [at]
// roots.pem holds the seal and authority roots to trust. With "at" (RFC 3339)
// every path is validated as of that date instead, using the newest
// document time-stamp's time for the earlier signatures (the LTA rule).
// Prints one line per check; exits 1 when one fails.
import java.io.*;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.time.*;
import java.util.*;
import org.apache.pdfbox.cos.*;
import org.apache.pdfbox.pdmodel.*;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.*;
import org.bouncycastle.asn1.*;
import org.bouncycastle.asn1.cms.*;
import org.bouncycastle.cert.*;
import org.bouncycastle.cert.jcajce.*;
import org.bouncycastle.cms.*;
import org.bouncycastle.cms.jcajce.*;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tsp.*;
import org.bouncycastle.util.Store;

public class PadesCheck {
    static boolean failed = false;
    static CertificateFactory cf;

    static void check(boolean ok, String what) {
        System.out.println((ok ? "OK   " : "FAIL ") + what);
        if (!ok) failed = true;
    }

    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        cf = CertificateFactory.getInstance("X.509");
        byte[] file = Files.readAllBytes(Paths.get(args[0]));
        Set<TrustAnchor> anchors = new HashSet<>();
        try (InputStream in = new FileInputStream(args[1])) {
            for (java.security.cert.Certificate c : cf.generateCertificates(in)) {
                X509Certificate x = (X509Certificate) c;
                if (x.getSubjectX500Principal().equals(x.getIssuerX500Principal())) anchors.add(new TrustAnchor(x, null));
            }
        }
        Date at = args.length > 2 ? Date.from(Instant.parse(args[2])) : null;
        try (PDDocument doc = PDDocument.load(file)) {
            COSDictionary catalog = doc.getDocumentCatalog().getCOSObject();
            List<X509Certificate> dssCerts = new ArrayList<>();
            List<X509CRL> dssCRLs = new ArrayList<>();
            readDSS(catalog, dssCerts, dssCRLs);
            check(!dssCerts.isEmpty() && !dssCRLs.isEmpty(), "DSS holds " + dssCerts.size() + " certificates and " + dssCRLs.size() + " CRLs");

            List<PDSignature> sigs = doc.getSignatureDictionaries();
            sigs.sort(Comparator.comparingInt(s -> s.getByteRange()[2] + s.getByteRange()[3]));
            check(!sigs.isEmpty(), sigs.size() + " signatures");
            int[] lastRange = sigs.get(sigs.size() - 1).getByteRange();
            check(lastRange[2] + lastRange[3] == file.length, "the newest signature covers the whole file (nothing appended after it)");

            Date newestStamp = null;
            for (PDSignature s : sigs) {
                if ("ETSI.RFC3161".equals(s.getSubFilter())) newestStamp = stampTime(s.getContents(file));
            }
            boolean first = true;
            for (PDSignature s : sigs) {
                byte[] contents = s.getContents(file);
                byte[] signed = s.getSignedContent(file);
                if ("ETSI.CAdES.detached".equals(s.getSubFilter())) {
                    check(first, "the seal is the first signature");
                    Date t = checkCAdES(contents, signed);
                    Date when = at == null ? t : (newestStamp != null ? newestStamp : at);
                    checkPath(sealSigner(contents), contents, dssCerts, dssCRLs, anchors, when, "seal certificate");
                    checkDocMDP(catalog, s);
                } else if ("ETSI.RFC3161".equals(s.getSubFilter())) {
                    check("DocTimeStamp".equals(s.getCOSObject().getNameAsString(COSName.TYPE)), "document time-stamp has /Type /DocTimeStamp");
                    TimeStampToken tst = new TimeStampToken(new CMSSignedData(contents));
                    byte[] sum = MessageDigest.getInstance("SHA-256").digest(signed);
                    check(Arrays.equals(sum, tst.getTimeStampInfo().getMessageImprintDigest()), "document time-stamp imprint is SHA-256 of the signed bytes");
                    X509Certificate tsa = tokenSigner(tst);
                    tst.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(tsa));
                    Date t = tst.getTimeStampInfo().getGenTime();
                    check(true, "document time-stamp signature verifies, genTime " + t.toInstant());
                    Date when = t;
                    if (at != null) when = s.getByteRange()[2] + s.getByteRange()[3] == file.length ? at : newestStamp;
                    checkPath(tsa, contents, dssCerts, dssCRLs, anchors, when, "document time-stamp authority");
                } else {
                    check(false, "unexpected signature /SubFilter " + s.getSubFilter());
                }
                first = false;
            }
        }
        System.exit(failed ? 1 : 0);
    }

    static Date stampTime(byte[] contents) throws Exception {
        return new TimeStampToken(new CMSSignedData(contents)).getTimeStampInfo().getGenTime();
    }

    static void readDSS(COSDictionary catalog, List<X509Certificate> certs, List<X509CRL> crls) throws Exception {
        COSBase b = catalog.getDictionaryObject(COSName.getPDFName("DSS"));
        if (!(b instanceof COSDictionary)) return;
        COSDictionary dss = (COSDictionary) b;
        for (String key : new String[] {"Certs", "CRLs"}) {
            COSBase a = dss.getDictionaryObject(COSName.getPDFName(key));
            if (!(a instanceof COSArray)) continue;
            for (COSBase e : (COSArray) a) {
                COSBase o = e instanceof COSObject ? ((COSObject) e).getObject() : e;
                try (InputStream in = ((COSStream) o).createInputStream()) {
                    if (key.equals("Certs")) certs.add((X509Certificate) cf.generateCertificate(in));
                    else crls.add((X509CRL) cf.generateCRL(in));
                }
            }
        }
    }

    static X509Certificate sealSigner(byte[] contents) throws Exception {
        CMSSignedData cms = new CMSSignedData(contents);
        SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
        X509CertificateHolder h = (X509CertificateHolder) cms.getCertificates().getMatches(si.getSID()).iterator().next();
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    static X509Certificate tokenSigner(TimeStampToken tst) throws Exception {
        Collection<X509CertificateHolder> m = tst.getCertificates().getMatches(tst.getSID());
        if (m.isEmpty()) throw new Exception("the time-stamp token carries no signer certificate");
        return new JcaX509CertificateConverter().getCertificate(m.iterator().next());
    }

    // checkCAdES verifies the seal over the signed bytes and its signature
    // time-stamp over the signature value; returns the time-stamp's time.
    static Date checkCAdES(byte[] contents, byte[] signed) throws Exception {
        CMSSignedData cms = new CMSSignedData(new CMSProcessableByteArray(signed), contents);
        SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
        X509Certificate seal = sealSigner(contents);
        check(si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(seal)), "seal signature verifies over the byte range (" + seal.getSubjectX500Principal() + ")");
        check(si.getSignedAttributes().get(CMSAttributes.signingTime) == null, "no signing-time attribute (PAdES baseline)");
        check(si.getSignedAttributes().get(PKCSObjectIdentifiersHolder.SIGNING_CERT_V2) != null, "signing-certificate-v2 attribute present");
        org.bouncycastle.asn1.cms.Attribute a = si.getUnsignedAttributes() == null ? null : si.getUnsignedAttributes().get(PKCSObjectIdentifiersHolder.SIG_TST);
        check(a != null, "signature time-stamp present (B-T)");
        TimeStampToken tst = new TimeStampToken(ContentInfo.getInstance(a.getAttrValues().getObjectAt(0)));
        byte[] sum = MessageDigest.getInstance("SHA-256").digest(si.getSignature());
        check(Arrays.equals(sum, tst.getTimeStampInfo().getMessageImprintDigest()), "signature time-stamp covers the signature value");
        tst.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(tokenSigner(tst)));
        Date t = tst.getTimeStampInfo().getGenTime();
        check(true, "signature time-stamp verifies, genTime " + t.toInstant());
        return t;
    }

    static void checkDocMDP(COSDictionary catalog, PDSignature s) {
        COSBase perms = catalog.getDictionaryObject(COSName.getPDFName("Perms"));
        COSBase mdp = perms instanceof COSDictionary ? ((COSDictionary) perms).getDictionaryObject(COSName.getPDFName("DocMDP")) : null;
        check(mdp == s.getCOSObject(), "the catalog's /Perms /DocMDP is the seal (a certification signature)");
        COSArray refs = (COSArray) s.getCOSObject().getDictionaryObject(COSName.getPDFName("Reference"));
        COSDictionary ref = refs == null ? null : (COSDictionary) refs.getObject(0);
        boolean ok = ref != null && "DocMDP".equals(ref.getNameAsString(COSName.getPDFName("TransformMethod")));
        int p = ok ? ((COSDictionary) ref.getDictionaryObject(COSName.getPDFName("TransformParams"))).getInt(COSName.P) : -1;
        check(ok && p == 1, "DocMDP transform with P=" + p + " (1: no changes allowed)");
    }

    static void checkPath(X509Certificate leaf, byte[] contents, List<X509Certificate> dssCerts, List<X509CRL> crls, Set<TrustAnchor> anchors, Date when, String what) {
        try {
            List<Object> store = new ArrayList<>(dssCerts);
            store.addAll(crls);
            CertPath path = cf.generateCertPath(Collections.singletonList(leaf));
            PKIXParameters p = new PKIXParameters(anchors);
            p.setDate(when);
            p.setRevocationEnabled(true);
            p.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
            CertPathValidator.getInstance("PKIX").validate(path, p);
            check(true, what + " path valid and not revoked at " + when.toInstant() + " (CRLs from the DSS)");
        } catch (Exception e) {
            check(false, what + " path at " + when.toInstant() + ": " + e.getMessage());
        }
    }
}

// The attribute OIDs, named once.
class PKCSObjectIdentifiersHolder {
    static final ASN1ObjectIdentifier SIGNING_CERT_V2 = new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.2.47");
    static final ASN1ObjectIdentifier SIG_TST = new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.2.14");
}
