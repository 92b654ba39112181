package io.vecnn.converter.torchfile;

import java.util.List;
import java.util.Map;

/**
 * The tensors of a state dict, still as views of storages, in file order.
 *
 * @param tensors    key → tensor view
 * @param notes      what the extraction decided for the user to hear (e.g. checkpoint entries ignored)
 * @param wrapper    the checkpoint entry the tensors came from, or null when the file is the state dict itself
 * @param modelClass the class of the pickled model the tensors were taken from ({@code __main__.Net}), or
 *                   null when the file holds a state dict
 */
record ExtractedTensors(Map<String, TensorRef> tensors, List<String> notes, String wrapper, String modelClass) {}
