package io.vecnn.modelfile;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GraphCodecTest {

    @Test
    void everyOpSurvivesJson() {
        var graph = ModelFileTest.everyOp().graph();
        assertEquals(graph, GraphCodec.fromJson(GraphCodec.toJson(graph)));
    }

    @Test
    void errorsNameTheNodeAndTheField() {
        VecnnException e = assertThrows(
                VecnnException.class,
                () -> GraphCodec.nodeFromJson(
                        "{\"name\":\"c1\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"output\":\"y\",\"out_channels\":4,"
                                + "\"kernel\":[3],\"stride\":[1,1],\"padding\":[0,0],\"dilation\":[1,1],\"groups\":1,\"weight\":\"w\"}"));
        assertEquals("node 'c1': field 'kernel' must hold two integers [h, w], got [3]", e.getMessage());
        e = assertThrows(
                VecnnException.class,
                () -> GraphCodec.nodeFromJson("{\"name\":\"p\",\"op\":\"pool\",\"inputs\":[\"x\"],\"output\":\"y\"}"));
        assertEquals("node 'p': unknown op 'pool'", e.getMessage());
        e = assertThrows(
                VecnnException.class,
                () -> GraphCodec.nodeFromJson(
                        "{\"name\":\"m\",\"op\":\"max_pool2d\",\"inputs\":[\"x\"],\"output\":\"y\",\"kernel\":[2,2],\"stride\":[2,2],"
                                + "\"padding\":[0,0]}"));
        assertEquals("node 'm': missing field 'ceil_mode'", e.getMessage());
    }
}
