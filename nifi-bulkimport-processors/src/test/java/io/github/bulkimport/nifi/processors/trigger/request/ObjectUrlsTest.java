package io.github.bulkimport.nifi.processors.trigger.request;

import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.api.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectUrlsTest {

    @Test
    void splitsOnCommasOrOnLineBreaks() {
        assertEquals(List.of("s3://b/1", "s3://b/2"), ObjectUrls.split(" s3://b/1 ,s3://b/2,, "));
        assertEquals(List.of("s3://b/a,b", "s3://b/c"), ObjectUrls.split("s3://b/a,b\r\n\ns3://b/c\n"));
        assertEquals(List.of(), ObjectUrls.split(" , , "));
        assertEquals(List.of(), ObjectUrls.split("\n \r\n"));
        assertEquals(List.of(), ObjectUrls.split(null));
    }

    @ParameterizedTest
    @CsvSource({
            "s3://bucket/key.parquet, s3://bucket/key.parquet",
            "s3://bucket/folder/, s3://bucket/folder/",
            "gs://bucket/a/b.json, gs://bucket/a/b.json",
            "https://bucket.s3.us-west-2.amazonaws.com/k.parquet, https://bucket.s3.us-west-2.amazonaws.com/k.parquet",
            "https://storage.googleapis.com/bucket/k.parquet, https://storage.googleapis.com/bucket/k.parquet",
            "https://acct.blob.core.windows.net/c/k.parquet, https://acct.blob.core.windows.net/c/k.parquet",
            "https://acct.dfs.core.windows.net/fs/dir/k.parquet, https://acct.blob.core.windows.net/fs/dir/k.parquet",
            "S3://bucket/Key, S3://bucket/Key"
    })
    void zillizKeepsUrls(final String url, final String expected) throws InvalidInputException {
        assertEquals(expected, ObjectUrls.toFileEntry(url, Deployment.ZILLIZ_CLOUD, "Object URLs"));
    }

    @ParameterizedTest
    @CsvSource({
            "s3://bucket/dir/key.parquet, dir/key.parquet",
            "minio://a-bucket/dir/key.parquet, dir/key.parquet",
            "gs://bucket/k.json, k.json",
            "https://acct.blob.core.windows.net/container/dir/my%20file.parquet, dir/my file.parquet",
            "https://bucket.s3.eu-central-1.amazonaws.com/x/y.parquet, x/y.parquet",
            "https://s3.amazonaws.com/bucket/x/y.parquet, x/y.parquet",
            "https://storage.googleapis.com/bucket/x.parquet, x.parquet",
            "dir/file.parquet, dir/file.parquet",
            "/dir/file.parquet, dir/file.parquet",
            "s3://bucket/folder/, folder/"
    })
    void milvusGetsThePathInsideTheBucket(final String url, final String expected) throws InvalidInputException {
        assertEquals(expected, ObjectUrls.toFileEntry(url, Deployment.MILVUS, "Object URLs"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://h/f", "http://h/f", "file:///f", "hdfs://nn/f", "s3:/b/k", "relative/path", "s3://bucket", "https://host/",
            "https://acct.blob.core.windows.net/c/k?sv=1&sig=abc"})
    void zillizRejects(final String url) {
        final InvalidInputException e = assertThrows(InvalidInputException.class, () -> ObjectUrls.toFileEntry(url, Deployment.ZILLIZ_CLOUD, "Object URLs"));
        assertTrue(e.getMessage().startsWith("Object URLs"), e.getMessage());
        assertFalse(e.getMessage().contains("sig=abc"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://h/f", "s3://bucket", "s3://bucket/", "https://example.com/bucket/key", "c:/windows/file"})
    void milvusRejects(final String url) {
        assertThrows(InvalidInputException.class, () -> ObjectUrls.toFileEntry(url, Deployment.MILVUS, "Object URLs"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://AKIAXX:sec/ret+key@bucket/k", "s3://user@bucket/k", "https://u:p@host/c/k", "gs://u:p@bucket/k"})
    void embeddedCredentialsAreRejectedAndNotQuoted(final String url) {
        for (final Deployment deployment : Deployment.values()) {
            final InvalidInputException e = assertThrows(InvalidInputException.class, () -> ObjectUrls.toFileEntry(url, deployment, "Object URLs"));
            assertTrue(e.getMessage().contains("credentials embedded"), e.getMessage());
            assertFalse(e.getMessage().contains("@"), e.getMessage());
            assertFalse(e.getMessage().contains("sec/ret"), e.getMessage());
        }
    }

    @Test
    void portsAndAtSignsInKeysAreNotCredentials() throws InvalidInputException {
        assertEquals("https://minio.local:9000/bucket/k", ObjectUrls.toFileEntry("https://minio.local:9000/bucket/k", Deployment.ZILLIZ_CLOUD, "x"));
        assertEquals("s3://bucket/user@example.com/k", ObjectUrls.toFileEntry("s3://bucket/user@example.com/k", Deployment.ZILLIZ_CLOUD, "x"));
    }

    @Test
    void uploadAttributesInOrderOfPreference() {
        assertEquals("s3://b/k", UploadAttributes.objectUrl(Map.of("s3.bucket", "b", "s3.key", "k", "gcs.bucket", "g", "gcs.key", "k")).orElseThrow().url());
        assertEquals("s3://b/k", UploadAttributes.objectUrl(Map.of("s3.bucket", "b", "s3.key", "/k")).orElseThrow().url());
        assertEquals("gs://g/k", UploadAttributes.objectUrl(Map.of("gcs.bucket", "g", "gcs.key", "k")).orElseThrow().url());
        assertEquals("https://a.blob.core.windows.net/c/b", UploadAttributes.objectUrl(Map.of("azure.primaryUri", " https://a.blob.core.windows.net/c/b ")).orElseThrow().url());
        assertTrue(UploadAttributes.objectUrl(Map.of("s3.bucket", "b")).isEmpty());
        assertTrue(UploadAttributes.objectUrl(Map.of("s3.bucket", " ", "s3.key", "k")).isEmpty());
        assertTrue(UploadAttributes.describeMissing(Map.of("gcs.key", "k")).contains("only one of gcs.bucket and gcs.key"));
    }

    /** java.net.URLDecoder threw an IllegalArgumentException for a malformed escape, which escaped the reader. */
    @ParameterizedTest
    @ValueSource(strings = {"https://acct.blob.core.windows.net/c/%zz.parquet", "https://storage.googleapis.com/bucket/k%", "https://s3.amazonaws.com/b/%4"})
    void aMalformedEscapeInAnHttpsKeyIsBadInput(final String url) {
        final InvalidInputException e = assertThrows(InvalidInputException.class, () -> ObjectUrls.toFileEntry(url, Deployment.MILVUS, "Object URLs"));
        assertTrue(e.getMessage().startsWith("Object URLs holds") && e.getMessage().contains("write a % in a key as %25"), e.getMessage());
    }

    /** Found by fuzzing: the URL holds no control character, but the key it names does once decoded. */
    @Test
    void anEscapedControlCharacterInAnHttpsKeyIsBadInput() {
        final InvalidInputException e = assertThrows(InvalidInputException.class, () -> ObjectUrls.toFileEntry(
                "https://myaccount.blob.core.windows.net/imports/dir/my%19file.parquet", Deployment.MILVUS, "Object URLs"));
        assertTrue(e.getMessage().startsWith("Object URLs holds") && e.getMessage().contains("escapes a control character"), e.getMessage());
    }

    @Test
    void escapesInHttpsKeysAreDecodedAsUtf8AndAPlusStaysAPlus() throws InvalidInputException {
        assertEquals("dir/a+b c+d \u00e9.parquet".translateEscapes(),
                ObjectUrls.toFileEntry("https://acct.blob.core.windows.net/c/dir/a%2Bb%20c+d%20%C3%A9.parquet", Deployment.MILVUS, "Object URLs"));
    }

    @Test
    void aHostLongerThanDnsAllowsIsNoCloudHost() {
        final String url = "https://" + "b.s3-".repeat(100_000) + "x.amazonaws.com/k.parquet";
        final InvalidInputException e = assertThrows(InvalidInputException.class, () -> ObjectUrls.toFileEntry(url, Deployment.MILVUS, "Object URLs"));
        assertTrue(e.getMessage().contains("longer than 253"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }
}
