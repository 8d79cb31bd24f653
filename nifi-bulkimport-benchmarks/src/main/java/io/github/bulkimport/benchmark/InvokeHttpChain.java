package io.github.bulkimport.benchmark;

import org.apache.nifi.processors.standard.AttributesToJSON;
import org.apache.nifi.processors.standard.EvaluateJsonPath;
import org.apache.nifi.processors.standard.InvokeHTTP;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a user would wire instead, from NiFi 2.3.0's standard processors: AttributesToJSON builds
 * the body from attributes (with nested JSON for the list of lists), InvokeHTTP posts it, and
 * EvaluateJsonPath pulls data.jobId into bulkimport.job.id. The upstream step that would compute the
 * collectionName and files attributes is not counted: they are queued ready-made.
 */
final class InvokeHttpChain {

    private final TestRunner toJson;
    private final TestRunner invoke;
    private final TestRunner extract;
    private int sequence;
    private boolean initialized;

    InvokeHttpChain(final String baseUrl) {
        toJson = TestRunners.newTestRunner(new AttributesToJSON());
        toJson.setProperty(AttributesToJSON.ATTRIBUTES_LIST, "collectionName,files");
        toJson.setProperty(AttributesToJSON.DESTINATION, "flowfile-content");
        toJson.setProperty(AttributesToJSON.INCLUDE_CORE_ATTRIBUTES, "false");
        toJson.setProperty(AttributesToJSON.JSON_HANDLING_STRATEGY, "NESTED");
        toJson.assertValid();

        invoke = TestRunners.newTestRunner(new InvokeHTTP());
        invoke.setProperty(InvokeHTTP.HTTP_METHOD, "POST");
        invoke.setProperty(InvokeHTTP.HTTP_URL, baseUrl + "/v2/vectordb/jobs/import/create");
        invoke.setProperty(InvokeHTTP.REQUEST_CONTENT_TYPE, "application/json");
        invoke.setProperty("Authorization", "Bearer " + EmulatorProcess.TOKEN);
        invoke.assertValid();

        extract = TestRunners.newTestRunner(new EvaluateJsonPath());
        extract.setProperty(EvaluateJsonPath.DESTINATION, "flowfile-attribute");
        extract.setProperty("bulkimport.job.id", "$.data.jobId");
        extract.assertValid();
    }

    Measurement run(final String name, final int count) {
        final Measurement.Stopwatch stopwatch = new Measurement.Stopwatch();
        for (int done = 0; done < count; done += TriggerBulkImportRun.CHUNK) {
            final int chunk = Math.min(TriggerBulkImportRun.CHUNK, count - done);
            for (int i = 0; i < chunk; i++) {
                final Map<String, String> attributes = new HashMap<>(4);
                attributes.put("collectionName", "bench");
                attributes.put("files", "[[\"vectors/part-" + sequence++ + ".parquet\"]]");
                toJson.enqueue(new byte[0], attributes);
            }
            stopwatch.start();
            drain(chunk);
            stopwatch.stop();
        }
        return stopwatch.result(name, count);
    }

    private void drain(final int expected) {
        runAll(toJson, expected);
        hand(toJson, AttributesToJSON.REL_SUCCESS.getName(), invoke, expected);
        runAll(invoke, expected);
        hand(invoke, InvokeHTTP.RESPONSE.getName(), extract, expected);
        runAll(extract, expected);
        final List<MockFlowFile> matched = extract.getFlowFilesForRelationship(EvaluateJsonPath.REL_MATCH);
        if (matched.size() != expected || matched.getFirst().getAttribute("bulkimport.job.id") == null) {
            throw new IllegalStateException("the chain lost flowfiles or job IDs: " + matched.size() + " of " + expected);
        }
        extract.clearTransferState();
        invoke.clearTransferState();
        for (final TestRunner runner : List.of(toJson, invoke, extract)) {
            runner.clearProvenanceEvents();
            TestRunnerSessions.forget(runner);
        }
        initialized = true;
    }

    private void runAll(final TestRunner runner, final int count) {
        runner.run(count, false, !initialized);
    }

    private static void hand(final TestRunner from, final String relationship, final TestRunner to, final int expected) {
        final List<MockFlowFile> out = from.getFlowFilesForRelationship(relationship);
        if (out.size() != expected) {
            throw new IllegalStateException(relationship + " holds " + out.size() + " flowfiles, expected " + expected);
        }
        // re-created in the next runner: each TestRunner numbers its own flowfiles, and ids must not collide
        for (final MockFlowFile flowFile : out) {
            to.enqueue(flowFile.toByteArray(), flowFile.getAttributes());
        }
        from.clearTransferState();
    }
}
