/**
 * The edge between ostore's domain records ({@code ostore.crypto}) and the wire types generated
 * from {@code ostore/v1/ostore.proto} ({@code ostore.api.v1}).
 *
 * <p>Owns: every conversion between the two, in {@link ostore.api.Protos}, so the client SDK and
 * the server convert identically and validate lengths in one place.
 *
 * <p>Must never: compute or check anything a signature or hash depends on beyond field shape
 * (that is the verifiers' job in {@code ostore.client} and the server's), talk to the network, or
 * hand a protobuf type deeper than the edge of the module that received it.
 */
package ostore.api;
