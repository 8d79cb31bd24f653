package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.client.ImportApiClient;
import io.github.bulkimport.nifi.model.Deployment;
import org.apache.nifi.controller.ControllerService;

/**
 * Holds the endpoint, credentials and pooled HTTP client for one Zilliz Cloud cluster or one
 * Milvus instance. Processors share it; secrets never leave it except inside requests.
 */
public interface BulkImportConnectionService extends ControllerService {

    /** Which dialect of the import API this service speaks. */
    Deployment getDeployment();

    /** The client built when the service was enabled; valid until it is disabled. */
    ImportApiClient getClient();
}
