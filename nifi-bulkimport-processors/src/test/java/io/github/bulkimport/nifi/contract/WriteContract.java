package io.github.bulkimport.nifi.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Runs {@link ContractWriter} when asked to ({@code -Dcontract.write=true}); never in a normal build. */
@EnabledIfSystemProperty(named = "contract.write", matches = "true")
class WriteContract {

    @Test
    void writeTheContractFromTheCode() throws Exception {
        ContractWriter.main(new String[] {Contract.file().getParent().getParent().toString()});
    }
}
