/** What every node application shares: its configuration's common blocks and YAML rule. */
package io.pushbase.cluster.app;
