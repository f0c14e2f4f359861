plugins { kotlin("jvm") version "2.1.0" }
dependencies {
    implementation("io.modelcontextprotocol:kotlin-sdk:0.7.0")
    implementation("io.ktor:ktor-client-cio:3.1.0")
}
