package io.github.bulkimport.nifi.testing;

import java.util.List;

/**
 * Secret values the tests configure, and then look for everywhere a user could see them.
 */
public final class Secrets {

    public static final String API_KEY = "sk-TEST-apikey-5f1c9a77e0b24d3f";
    public static final String ACCESS_KEY = "AKIATESTACCESS42XYZ";
    public static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYTESTKEY";
    public static final String SESSION_TOKEN = "FwoGZXIvYXdzEBaTESTsessionTOKEN0042";
    public static final String MILVUS_TOKEN = "root:Milvus-TEST-password-77";

    public static final List<String> ALL = List.of(API_KEY, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, MILVUS_TOKEN, "Milvus-TEST-password-77");

    private Secrets() {
    }
}
